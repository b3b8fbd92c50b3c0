using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// A real database for one test class: created empty, given the credit schema and the default catalog, dropped at the
/// end. Subclasses pick the provider (SQLite file, PostgreSQL from the test script's throwaway cluster).
/// </summary>
public abstract class CreditsDatabase : IAsyncLifetime
{
    private readonly List<ServiceProvider> providers = [];

    /// <summary>The services of the default set-up: pooled <see cref="CreditsDbContext"/>, default options.</summary>
    public ServiceProvider Services { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public abstract string Name { get; }

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        Services = BuildServices(ConnectionString);
        await Services.InitializeCreditsAsync(createSchema: true);
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        await DropDatabasesAsync();
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public abstract Task<string> CreateDatabaseAsync();

    public abstract void UseProvider(DbContextOptionsBuilder options, string connectionString);

    protected abstract Task DropDatabasesAsync();

    /// <summary>Services on the given database with the bundled context, pooled like a production host.</summary>
    public ServiceProvider BuildServices(string connectionString, Action<CreditsOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddDbContextPool<CreditsDbContext>(options => UseProvider(options, connectionString));
        services.AddMediaForgeCredits(configure).UseEntityFrameworkCore<CreditsDbContext>();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        providers.Add(provider);
        return provider;
    }

    /// <summary>The balance row and the ledger sum of a user, read straight from the tables.</summary>
    public async Task<(long Balance, long LedgerSum, int LedgerRows)> ReadLedgerAsync(string userId, IServiceProvider? services = null)
    {
        await using var scope = (services ?? Services).CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var balance = await db.Accounts.Where(a => a.UserId == userId).Select(a => (long?)a.Balance).FirstOrDefaultAsync() ?? 0;
        var rows = await db.Transactions.Where(t => t.UserId == userId).Select(t => t.Amount).ToListAsync();
        return (balance, rows.Sum(), rows.Count);
    }

    public async Task<int> CountUsageAsync(string userId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        return await db.UsageLogs.CountAsync(u => u.UserId == userId);
    }

    public async Task WithContextAsync(Func<CreditsDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    public async Task FlagAdminAsync(string userId)
    {
        await WithContextAsync(async db =>
        {
            db.Users.Add(new CreditUser { Id = userId, IsAdmin = true, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            db.Accounts.Add(new CreditAccount { UserId = userId, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
    }
}
