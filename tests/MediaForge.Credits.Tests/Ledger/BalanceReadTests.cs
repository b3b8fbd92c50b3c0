using System.Data.Common;
using System.Diagnostics;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The balance read (one built-once statement through EF's command pipeline), run against each real database: users
/// with only some of their rows, the admin flag, the context's transaction and interceptors.
/// </summary>
public abstract class BalanceReadTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    protected TDatabase Database { get; } = database;

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private Task<T> WithCreditsAsync<T>(Func<ICreditService, Task<T>> action, IServiceProvider? services = null) =>
        Database.WithCreditsAsync(action, services);

    private Task AddUserRowAsync(string userId, bool isAdmin) => Database.WithContextAsync(async db =>
    {
        db.Users.Add(new CreditUser { Id = userId, IsAdmin = isAdmin, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    });

    [Fact]
    public async Task GetBalance_UserNeverSeen_IsZeroAndLimited()
    {
        var user = NewUser();

        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(user));
        var check = await WithCreditsAsync(c => c.CheckCreditsAsync(user, "image-generation", "default"));

        Assert.Equal(new CreditBalance { UserId = user, Balance = 0, Available = 0, IsUnlimited = false, Categories = balance.Categories }, balance);
        Assert.Equal((false, false), (check.HasCredits, check.IsUnlimited));
    }

    [Fact]
    public async Task GetBalance_UserRowWithoutBalanceRow_IsZeroAndLimited()
    {
        var user = NewUser();
        await AddUserRowAsync(user, isAdmin: false);

        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(user));

        Assert.Equal(new CreditBalance { UserId = user, Balance = 0, Available = 0, IsUnlimited = false, Categories = balance.Categories }, balance);
    }

    [Fact]
    public async Task GetBalance_UserFlaggedAdminWithoutBalanceRow_IsUnlimited()
    {
        var admin = NewUser();
        await AddUserRowAsync(admin, isAdmin: true);

        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(admin));
        var check = await WithCreditsAsync(c => c.CheckCreditsAsync(admin, "video-generation", "veo2"));

        Assert.Equal(0, balance.Balance);
        Assert.True(balance.IsUnlimited);
        Assert.True(check.HasCredits);
        Assert.True(check.IsUnlimited);
    }

    [Fact]
    public async Task GetBalance_UserFlaggedAdminWithCredits_ReportsBalanceAndIsUnlimited()
    {
        var admin = NewUser();
        await Database.FlagAdminAsync(admin);
        await WithCreditsAsync(c => c.AddCreditsAsync(admin, 25, CreditTransactionType.Purchase, "test grant"));

        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(admin));

        Assert.Equal(new CreditBalance { UserId = admin, Balance = 25, Available = 25, IsUnlimited = true, Categories = balance.Categories }, balance);
    }

    [Fact]
    public async Task GetBalance_ConfiguredAdminWithoutRows_IsUnlimitedWithZeroBalance()
    {
        var admin = NewUser();
        var services = Database.BuildServices(Database.ConnectionString, o => o.AdminUserIds.Add(admin));

        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(admin), services);

        Assert.Equal(new CreditBalance { UserId = admin, Balance = 0, Available = 0, IsUnlimited = true, Categories = balance.Categories }, balance);
    }

    [Fact]
    public async Task GetBalance_InsideTheHostsTransaction_SeesItsUncommittedGrant()
    {
        var user = NewUser();
        await using var scope = Database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await credits.AddCreditsAsync(user, 40, CreditTransactionType.Purchase, "in the host's transaction");
            Assert.Equal(40, (await credits.GetBalanceAsync(user)).Balance);
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, (await credits.GetBalanceAsync(user)).Balance);
    }

    [Fact]
    public async Task GetBalance_PlainAccount_IsOneCommandThroughTheContextsInterceptors()
    {
        var user = NewUser();
        var interceptor = new ReaderCounter();
        var services = Database.BuildServices(Database.ConnectionString, configureContext: o => o.AddInterceptors(interceptor));
        await WithCreditsAsync(c => c.AddCreditsAsync(user, 12, CreditTransactionType.Purchase, "test grant"), services);
        interceptor.Readers = 0;

        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(user), services);

        Assert.Equal(12, balance.Available);
        Assert.Equal(1, interceptor.Readers);
    }

    [Fact]
    public async Task GetBalance_PastDueLotsSharingAnExpiry_NamesTheCategoriesTheLapseWillTake()
    {
        // Two lots past due at the same instant, the older one inserted last; a hold keeps 5 of their 20 credits. The
        // lapse takes the older lot first (expiry, then creation), so what is left is 5 of the newer lot's category.
        var user = NewUser();
        var now = DateTime.UtcNow;
        var due = now.AddHours(-1);
        await Database.WithContextAsync(async db =>
        {
            db.Users.Add(new CreditUser { Id = user, CreatedAt = now, UpdatedAt = now });
            db.Accounts.Add(new CreditAccount { UserId = user, Balance = 20, Reserved = 5, TotalGranted = 20, NextExpiryAt = due, CreatedAt = now, UpdatedAt = now });
            db.Grants.Add(Lot(user, CreditCategory.Promotional, created: now.AddMinutes(-90), due));
            await db.SaveChangesAsync();
            db.Grants.Add(Lot(user, CreditCategory.Allowance, created: now.AddMinutes(-120), due));
            db.Reservations.Add(new CreditReservation
            {
                Id = Guid.CreateVersion7(), UserId = user, Feature = "video-generation", Model = "hailuo", Amount = 5, RequestedAmount = 5,
                Status = ReservationStatus.Active, ExpiresAt = now.AddHours(1), CreatedAt = now,
            });
            await db.SaveChangesAsync();
        });

        var before = await WithCreditsAsync(c => c.GetBalanceAsync(user));
        await WithCreditsAsync(c => c.ExpireCreditsAsync());
        var after = await WithCreditsAsync(c => c.GetBalanceAsync(user));

        Assert.Equal((5L, 5L, 0L), (before.Balance, before.Categories.GetValueOrDefault("promotional"), before.Categories.GetValueOrDefault("allowance")));
        Assert.Equal(after.Categories.Where(c => c.Value != 0).OrderBy(c => c.Key), before.Categories.Where(c => c.Value != 0).OrderBy(c => c.Key));
    }

    private static CreditGrant Lot(string user, CreditCategory category, DateTime created, DateTime expires) => new()
    {
        Id = Guid.CreateVersion7(new DateTimeOffset(created, TimeSpan.Zero)), UserId = user, TransactionId = Guid.NewGuid(), Amount = 10, Remaining = 10,
        ExpiresAt = expires, Category = category.Name, Priority = 10, CreatedAt = created,
    };
}

public sealed class SqliteBalanceReadTests(SqliteCreditsDatabase database) : BalanceReadTests<SqliteCreditsDatabase>(database)
{
    [Fact]
    public async Task GetBalance_OnAContextWithoutInterceptors_ReadsOnAPlainConnectionOfItsOwn()
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        // EF skips its diagnostic events for a while after finding no listener; here it looks every time.
        var services = Database.BuildServices(Database.ConnectionString, configureContext: o => o.ConfigureLoggingCacheTime(TimeSpan.Zero));
        await Database.WithCreditsAsync(c => c.AddCreditsAsync(user, 12, CreditTransactionType.Purchase, "test grant"), services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        using var opens = new ConnectionOpenCounter(db);

        var balance = await scope.ServiceProvider.GetRequiredService<ICreditService>().GetBalanceAsync(user);

        Assert.Equal(12, balance.Available);
        Assert.Equal(0, opens.Count);
    }

    [Fact]
    public async Task GetBalance_OnAnInMemoryDatabaseWhoseConnectionTheHostKeepsOpen_ReadsOnThatConnection()
    {
        // The usual set-up of hosts' unit tests: the database lives as long as this one open connection.
        await using var memory = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        await memory.OpenAsync();
        var collection = new ServiceCollection();
        collection.AddDbContext<CreditsDbContext>(o => o.UseSqlite(memory));
        collection.AddMediaForgeCredits().UseEntityFrameworkCore<CreditsDbContext>();
        await using var services = collection.BuildServiceProvider();
        await services.InitializeCreditsAsync(createSchema: true);
        await Database.WithCreditsAsync(c => c.AddCreditsAsync("memory_user", 12, CreditTransactionType.Purchase, "test grant"), services);

        var balance = await Database.WithCreditsAsync(c => c.GetBalanceAsync("memory_user"), services);

        Assert.Equal(12, balance.Available);
    }

    /// <summary>Counts the opens of one context's connection, through EF's diagnostic events.</summary>
    private sealed class ConnectionOpenCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly DbContext context;
        private readonly IDisposable all;
        private readonly List<IDisposable> subscriptions = [];
        private int count;

        public ConnectionOpenCounter(DbContext context)
        {
            this.context = context;
            all = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public int Count => Volatile.Read(ref count);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (subscriptions)
                {
                    subscriptions.Add(value.Subscribe(this));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.ConnectionOpening.Name && value.Value is ConnectionEventData data && data.Context == context)
            {
                Interlocked.Increment(ref count);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            all.Dispose();
            lock (subscriptions)
            {
                subscriptions.ForEach(s => s.Dispose());
            }
        }
    }
}

public sealed class PostgresBalanceReadTests(PostgresCreditsDatabase database) : BalanceReadTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbBalanceReadTests(MariaDbCreditsDatabase database) : BalanceReadTests<MariaDbCreditsDatabase>(database);
