namespace MediaForge.Credits.Storage;

/// <summary>The scoped <see cref="DbContext"/> that holds the credit model (the host's context or <c>CreditsDbContext</c>).</summary>
internal sealed class CreditsDbContextHandle(DbContext context)
{
    public DbContext Context { get; } = context;
}
