using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Categories;

/// <summary>
/// Credits past their lot's expiry that a hold kept (the sweep lapses only what no hold covers) are the first a debit
/// takes, before any live lot whatever its priority: they are the credits the hold was keeping. The account: an
/// allowance lot of 10 (priority 10, expiring in 20 days) and a paid pack of 10 (priority 30) expiring in 2 hours, with
/// two holds of 10 and 5, so the sweep after 2 hours lapses 5 of the pack and keeps 5 for the holds.
/// </summary>
public abstract class LapsedLotBurnTests<TDatabase>(TDatabase database) : BurnOrderTestsBase<TDatabase>(database), IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(2)] // the instant the pack lapses
    [InlineData(3)]
    public async Task Capture_OnceThePackLapsed_TakesThePacksKeptCreditsBeforeTheAllowance(int hoursLater)
    {
        var (user, _, smaller) = await AccountWithTwoHoldsAsync();
        Clock.Advance(TimeSpan.FromHours(hoursLater));
        await Credits(c => c.ExpireCreditsAsync());

        await CaptureAsync(smaller);

        Assert.Equal(Lots(allowance: 10, pack: 0), await RemainingAsync(user));
    }

    [Fact]
    public async Task Capture_BeforeThePackLapses_TakesTheAllowanceFirst()
    {
        var (user, _, smaller) = await AccountWithTwoHoldsAsync();
        Clock.Advance(TimeSpan.FromHours(1));

        await CaptureAsync(smaller);

        Assert.Equal(Lots(allowance: 5, pack: 10), await RemainingAsync(user));
    }

    private async Task<(string User, Guid Larger, Guid Smaller)> AccountWithTwoHoldsAsync()
    {
        var user = NewUser();
        await Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "plan", Start.AddDays(20), category: CreditCategory.Allowance));
        await Credits(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack", Start.AddHours(2)));
        var larger = await ReserveAsync(user, 10);
        var smaller = await ReserveAsync(user, 5);
        return (user, larger, smaller);
    }

    private async Task<Guid> ReserveAsync(string user, long amount)
    {
        var hold = await With<ICreditReservationService, CreditReservationResult>(h =>
            h.ReserveCreditsAsync(user, "video-generation", "veo2", ttl: TimeSpan.FromHours(5), amount: amount));
        Assert.True(hold.Success);
        return hold.ReservationId!.Value;
    }

    private async Task CaptureAsync(Guid hold)
    {
        var settled = await With<ICreditReservationService, CreditReservationSettlement>(h => h.CaptureReservationAsync(hold));
        Assert.True(settled.Success);
    }

    private static Dictionary<string, long> Lots(long allowance, long pack) =>
        new(StringComparer.Ordinal) { ["allowance"] = allowance, ["paid"] = pack, ["rest"] = 0 };
}

public sealed class SqliteLapsedLotBurnTests(SqliteCreditsDatabase database) : LapsedLotBurnTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLapsedLotBurnTests(PostgresCreditsDatabase database) : LapsedLotBurnTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbLapsedLotBurnTests(MariaDbCreditsDatabase database) : LapsedLotBurnTests<MariaDbCreditsDatabase>(database);
