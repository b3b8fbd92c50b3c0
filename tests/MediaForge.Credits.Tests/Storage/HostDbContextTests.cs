using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>A host's own DbContext that holds its tables and the credit model (with a table prefix).</summary>
public sealed class HostDbContext(DbContextOptions<HostDbContext> options) : DbContext(options)
{
    public DbSet<VideoJob> Jobs => Set<VideoJob>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<VideoJob>().ToTable("video_jobs");
        modelBuilder.ApplyCreditsModel(new CreditsModelOptions { TablePrefix = "mf_" });
    }
}

public sealed class VideoJob
{
    public int Id { get; set; }

    public string Prompt { get; set; } = "";
}

public abstract class HostDbContextTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private async Task<ServiceProvider> HostServicesAsync()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContext<HostDbContext>(o => database.UseProvider(o, connectionString));
        services.AddMediaForgeCredits().UseEntityFrameworkCore<HostDbContext>();
        var provider = services.BuildServiceProvider();
        await provider.InitializeCreditsAsync(createSchema: true);
        return provider;
    }

    [Fact]
    public async Task HostContext_WithTablePrefix_StoresCreditsInPrefixedTables()
    {
        await using var services = await HostServicesAsync();
        await using var scope = services.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        var db = scope.ServiceProvider.GetRequiredService<HostDbContext>();

        await credits.AddCreditsAsync("user_1", 50, CreditTransactionType.Bonus, "Welcome");
        var deduction = await credits.DeductCreditsAsync("user_1", "video-generation", "hailuo");

        Assert.Equal(42, deduction.RemainingBalance);
        Assert.Equal("mf_credit_transactions", db.Model.FindEntityType(typeof(Entities.CreditTransaction))!.GetTableName());
        var rows = await db.Database.SqlQueryRaw<long>("SELECT amount AS \"Value\" FROM mf_credit_transactions").ToListAsync();
        Assert.Equal([-8L, 50L], rows.Order());
    }

    [Fact]
    public async Task HostContext_DeductionInHostTransaction_RollsBackWithTheHostsRows()
    {
        await using var services = await HostServicesAsync();
        await using (var seed = services.CreateAsyncScope())
        {
            await seed.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync("user_2", 50, CreditTransactionType.Bonus, "Welcome");
        }

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HostDbContext>();
            var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Jobs.Add(new VideoJob { Prompt = "a fox" });
            await db.SaveChangesAsync();
            var deduction = await credits.DeductCreditsAsync("user_2", "video-generation", "veo2");
            Assert.True(deduction.Success);
            await transaction.RollbackAsync();
        }

        await using var check = services.CreateAsyncScope();
        var balance = await check.ServiceProvider.GetRequiredService<ICreditService>().GetBalanceAsync("user_2");
        Assert.Equal(50, balance.Balance);
        Assert.Equal(0, await check.ServiceProvider.GetRequiredService<HostDbContext>().Jobs.CountAsync());
    }

    [Fact]
    public async Task HostContext_DeductionInHostTransaction_CommitsWithTheHostsRows()
    {
        await using var services = await HostServicesAsync();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HostDbContext>();
            var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
            await credits.AddCreditsAsync("user_3", 50, CreditTransactionType.Bonus, "Welcome");
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Jobs.Add(new VideoJob { Prompt = "a map" });
            await db.SaveChangesAsync();
            await credits.DeductCreditsAsync("user_3", "map-animation", "veo2");
            await transaction.CommitAsync();
        }

        await using var check = services.CreateAsyncScope();
        Assert.Equal(40, (await check.ServiceProvider.GetRequiredService<ICreditService>().GetBalanceAsync("user_3")).Balance);
        Assert.Equal(1, await check.ServiceProvider.GetRequiredService<HostDbContext>().Jobs.CountAsync());
    }
}

public sealed class SqliteHostDbContextTests(SqliteCreditsDatabase database) : HostDbContextTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHostDbContextTests(PostgresCreditsDatabase database) : HostDbContextTests<PostgresCreditsDatabase>(database);
