namespace MediaForge.Credits.Storage;

/// <summary>Writes single rows of the credit model through a context the host may share.</summary>
internal static class DbContextRowExtensions
{
    /// <summary>
    /// Inserts one row with <c>SaveChanges</c> (in the context's current transaction) and stops tracking it, so the
    /// scoped context does not keep credit rows around for the host.
    /// </summary>
    public static async Task InsertDetachedAsync(this DbContext db, object row, CancellationToken cancellationToken)
    {
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }
}
