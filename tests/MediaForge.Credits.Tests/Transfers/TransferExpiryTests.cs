using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Transfers;

/// <summary>Transferred credits keep their expiry: soonest-expiring first from the sender, the same dates at the recipient.</summary>
public abstract class TransferExpiryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, time: clock);

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => database.WithCreditsAsync(action, Services);

    private static DateTime At(int days) => Start.AddDays(days).UtcDateTime;

    /// <summary>A sender with 10 credits that never expire, 5 expiring in 10 days and 7 in 20 days (granted in the other order).</summary>
    private async Task<string> SenderWithLotsAsync()
    {
        var sender = NewUser();
        await Credits(c => c.AddCreditsAsync(sender, 10, CreditTransactionType.Purchase, "forever"));
        await Credits(c => c.AddExpiringCreditsAsync(sender, 7, CreditTransactionType.Bonus, "later", Start.AddDays(20)));
        await Credits(c => c.AddExpiringCreditsAsync(sender, 5, CreditTransactionType.Bonus, "sooner", Start.AddDays(10)));
        return sender;
    }

    /// <summary>Checks the user's unconsumed lots (soonest first) and the balance row's next expiry.</summary>
    private async Task AssertLotsAsync(string user, DateTime? nextExpiry, params (DateTime ExpiresAt, long Remaining)[] expected)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var lots = await db.Grants.Where(g => g.UserId == user && g.Remaining > 0).OrderBy(g => g.ExpiresAt)
            .Select(g => new { g.ExpiresAt, g.Remaining }).ToListAsync();
        var next = await db.Accounts.Where(a => a.UserId == user).Select(a => a.NextExpiryAt).SingleOrDefaultAsync();
        Assert.Equal(expected, lots.Select(l => (l.ExpiresAt, l.Remaining)));
        Assert.Equal(nextExpiry, next);
    }

    [Fact]
    public async Task TransferCredits_AtTheInstantTheSendersLotLapses_CountsItsCreditsAsLapsed()
    {
        var sender = NewUser();
        await Credits(c => c.AddCreditsAsync(sender, 10, CreditTransactionType.Purchase, "forever"));
        await Credits(c => c.AddExpiringCreditsAsync(sender, 10, CreditTransactionType.Bonus, "lapsing", Start.AddDays(10)));
        clock.SetUtcNow(Start.AddDays(10));

        var transfer = await Credits(c => c.TransferCreditsAsync(sender, NewUser(), 15, "more than is left"));

        Assert.Equal((false, CreditTransferError.InsufficientCredits), (transfer.Success, transfer.Error));
        Assert.Equal((10L, 10L, 3), await database.ReadLedgerAsync(sender, Services));
    }

    [Fact]
    public async Task TransferCredits_SomeExpiring_TakesTheSoonestExpiringFirstFromTheSender()
    {
        var (sender, recipient) = (await SenderWithLotsAsync(), NewUser());

        await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "part"));

        await AssertLotsAsync(sender, At(20), (At(20), 4L));
    }

    [Fact]
    public async Task TransferCredits_SomeExpiring_RecipientGetsThemWithTheSameExpiryDates()
    {
        var (sender, recipient) = (await SenderWithLotsAsync(), NewUser());

        await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "part"));

        await AssertLotsAsync(recipient, At(10), (At(10), 5L), (At(20), 3L));
    }

    [Fact]
    public async Task TransferCredits_TwoExpiryDatesAndPaidCredits_OneTransferInRowPerDateAndOneForThePaidReferencingTheTransferOut()
    {
        var (sender, recipient) = (await SenderWithLotsAsync(), NewUser());

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 15, "most"));

        var rows = (await Credits(c => c.GetTransactionsAsync(recipient))).Items;
        Assert.All(rows, r => Assert.Equal((CreditTransactionType.TransferIn, result.TransferOutId.ToString()), (r.Type, r.Reference)));
        Assert.Equal([3L, 5L, 7L], rows.Select(r => r.Amount).Order());
        Assert.Equal((15L, 15L), (result.RecipientBalance, rows.Max(r => r.BalanceAfter)));
        await AssertLotsAsync(recipient, At(10), (At(10), 5L), (At(20), 7L));
    }

    [Fact]
    public async Task TransferCredits_NeverExpiringCredits_ArriveNeverExpiring()
    {
        var (sender, recipient) = (NewUser(), NewUser());
        await Credits(c => c.AddCreditsAsync(sender, 10, CreditTransactionType.Purchase, "forever"));

        await Credits(c => c.TransferCreditsAsync(sender, recipient, 10, "all"));

        await AssertLotsAsync(recipient, null);
    }

    [Fact]
    public async Task TransferCredits_ReceivedExpiringCredits_ExpireAtTheirDate()
    {
        var (sender, recipient) = (await SenderWithLotsAsync(), NewUser());
        await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "part"));

        clock.Advance(TimeSpan.FromDays(11));

        Assert.Equal((3L, 3L), await Credits(async c => { var b = await c.GetBalanceAsync(recipient); return (b.Balance, b.Available); }));
        await Credits(c => c.ExpireCreditsAsync());
        Assert.Equal((3L, 3L, 3), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_LapsedCreditsWouldBeNeeded_RefusedAndNothingMoves()
    {
        var (sender, recipient) = (await SenderWithLotsAsync(), NewUser());
        clock.Advance(TimeSpan.FromDays(11));

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 18, "the lapsed 5 too"));

        Assert.Equal(CreditTransferError.InsufficientCredits, result.Error);
        Assert.Equal((0L, 0L, 0), await database.ReadLedgerAsync(recipient, Services));
        Assert.Equal(17L, (await database.ReadLedgerAsync(sender, Services)).Balance);
    }
}

public sealed class SqliteTransferExpiryTests(SqliteCreditsDatabase database) : TransferExpiryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTransferExpiryTests(PostgresCreditsDatabase database) : TransferExpiryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTransferExpiryTests(MariaDbCreditsDatabase database) : TransferExpiryTests<MariaDbCreditsDatabase>(database);
