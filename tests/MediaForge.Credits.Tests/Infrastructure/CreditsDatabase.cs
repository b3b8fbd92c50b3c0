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

    /// <summary>
    /// How many sessions wait on a lock right now: on PostgreSQL this fixture's database's, on MariaDB the whole
    /// server's row lock waits (<c>information_schema.INNODB_TRX</c> did not always list a waiting session; decision 0051).
    /// </summary>
    public virtual Task<int> LockWaitsAsync() => throw new NotSupportedException($"Lock waits are read on PostgreSQL and MariaDB, not on {Name}.");

    protected abstract Task DropDatabasesAsync();

    /// <summary>Services on the given database with the bundled context, pooled like a production host.</summary>
    public ServiceProvider BuildServices(string connectionString, Action<CreditsOptions>? configure = null, TimeProvider? time = null,
        Action<DbContextOptionsBuilder>? configureContext = null, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        configureServices?.Invoke(services);
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddDbContextPool<CreditsDbContext>(options =>
        {
            UseProvider(options, connectionString);
            configureContext?.Invoke(options);
        });
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

    /// <summary>
    /// Checks every ledger invariant for the users whose id starts with <paramref name="userPrefix"/>: balance against the
    /// sum of the ledger, no negative balance, every charge with its usage log and every non-admin usage log with its charge.
    /// </summary>
    public async Task<LedgerAudit> AuditAsync(string userPrefix)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var accounts = await db.Accounts.Where(a => a.UserId.StartsWith(userPrefix))
            .Select(a => new { a.Balance, Sum = db.Transactions.Where(t => t.UserId == a.UserId).Sum(t => (long?)t.Amount) ?? 0 })
            .ToListAsync();
        var orphanUsageLogs = await db.UsageLogs.CountAsync(u => u.UserId.StartsWith(userPrefix) && !u.IsUnlimited
            && !db.Transactions.Any(t => t.Id == u.TransactionId && t.Amount == -u.CreditsUsed));
        var orphanCharges = await db.Transactions.CountAsync(t => t.UserId.StartsWith(userPrefix) && t.Type == CreditTransactionType.Usage
            && !db.UsageLogs.Any(u => u.TransactionId == t.Id));
        return new LedgerAudit(
            accounts.Count,
            accounts.Count(a => a.Balance != a.Sum),
            accounts.Count(a => a.Balance < 0),
            orphanUsageLogs,
            orphanCharges);
    }

    public async Task<int> CountUsageAsync(string userId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        return await db.UsageLogs.CountAsync(u => u.UserId == userId);
    }

    /// <summary>Runs <paramref name="action"/> with the <see cref="ICreditService"/> of a new scope (of <paramref name="services"/>, or the fixture's).</summary>
    public async Task<T> WithCreditsAsync<T>(Func<ICreditService, Task<T>> action, IServiceProvider? services = null)
    {
        await using var scope = (services ?? Services).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditService>());
    }

    /// <summary>Runs <paramref name="action"/> with the <see cref="ICreditReservationService"/> of a new scope (of <paramref name="services"/>, or the fixture's).</summary>
    public async Task<T> WithHoldsAsync<T>(Func<ICreditReservationService, Task<T>> action, IServiceProvider? services = null)
    {
        await using var scope = (services ?? Services).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditReservationService>());
    }

    public async Task WithContextAsync(Func<CreditsDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    /// <summary>Runs <paramref name="action"/> with the <see cref="CreditsDbContext"/> of a new scope of the fixture's services, and returns what it gives.</summary>
    public async Task<T> WithContextAsync<T>(Func<CreditsDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
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

/// <param name="Accounts">Balance rows checked.</param>
/// <param name="Mismatched">Balances that differ from the sum of their ledger.</param>
/// <param name="Negative">Negative balances.</param>
/// <param name="OrphanUsageLogs">Usage logs of non-admins without their charge in the ledger.</param>
/// <param name="OrphanCharges">Usage charges in the ledger without their usage log.</param>
public sealed record LedgerAudit(int Accounts, int Mismatched, int Negative, int OrphanUsageLogs, int OrphanCharges)
{
    public bool IsConsistent => Mismatched == 0 && Negative == 0 && OrphanUsageLogs == 0 && OrphanCharges == 0;
}
