using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>What a sender does with a gift after creating it (cancel it, reissue its code) and what each side lists, one rule per test, on a real database.</summary>
public abstract class GiftSenderTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private GiftSetup Setup => field ??= new GiftSetup(database, time: clock);

    [Fact]
    public async Task CancelGift_Pending_FreesTheCreditsOnce()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);

        var cancelled = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));
        var again = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        Assert.Equal((true, CreditGiftStatus.Cancelled), (cancelled.Success, cancelled.Gift!.Status));
        Assert.Equal((false, CreditGiftError.NotPending, CreditGiftStatus.Cancelled), (again.Success, again.Error, again.Gift!.Status));
        Assert.Equal((100L, 0L, 100L), await Setup.AccountAsync(sender));
        Assert.Equal(CreditGiftError.InvalidCode, (await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, GiftSetup.NewUser("late")))).Error);
    }

    [Fact]
    public async Task CancelGift_SomeoneElsesOrUnknown_NotFound()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);

        Assert.Equal(CreditGiftError.NotFound, (await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, GiftSetup.NewUser("thief")))).Error);
        Assert.Equal(CreditGiftError.NotFound, (await Setup.Gifts(g => g.CancelGiftAsync(Guid.NewGuid(), sender))).Error);
        Assert.Equal((100L, 30L, 100L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CancelGift_PastItsExpiry_EndsAsExpiredNotCancelled()
    {
        var sender = await Setup.FundedAsync(100);
        var created = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(2));

        var result = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        Assert.Equal((false, CreditGiftError.NotPending, CreditGiftStatus.Expired), (result.Success, result.Error, result.Gift!.Status));
        Assert.Equal((100L, 0L, 100L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task ReissueCode_Pending_NewCodeWorksAndTheOldOneNoLonger()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);

        var reissued = await Setup.Gifts(g => g.ReissueCodeAsync(created.Gift!.Id, sender));

        Assert.True(reissued.Success);
        Assert.NotEqual(created.Code, reissued.Code);
        Assert.Equal(CreditGiftError.InvalidCode, (await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, GiftSetup.NewUser("a")))).Error);
        Assert.True((await Setup.Gifts(g => g.RedeemGiftAsync(reissued.Code, GiftSetup.NewUser("b")))).Success);
    }

    [Fact]
    public async Task ReissueCode_RedeemedOrSomeoneElses_NotPendingOrNotFound()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, GiftSetup.NewUser("recipient")));

        Assert.Equal((CreditGiftError.NotPending, null), Pair(await Setup.Gifts(g => g.ReissueCodeAsync(created.Gift!.Id, sender))));
        Assert.Equal((CreditGiftError.NotFound, null), Pair(await Setup.Gifts(g => g.ReissueCodeAsync(created.Gift!.Id, GiftSetup.NewUser("x")))));

        static (CreditGiftError, string?) Pair(CreditGiftResult r) => (r.Error, r.Code);
    }

    [Fact]
    public async Task GetGifts_SentAndReceived_NewestFirstWithoutCodes()
    {
        var sender = await Setup.FundedAsync(100);
        var recipient = GiftSetup.NewUser("recipient");
        var first = await Setup.Gifts(g => g.CreateGiftAsync(sender, 10));
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = await Setup.Gifts(g => g.CreateGiftAsync(sender, 20));
        await Setup.Gifts(g => g.RedeemGiftAsync(first.Code, recipient));

        var mine = await Setup.Gifts(g => g.GetGiftsAsync(sender));
        var theirs = await Setup.Gifts(g => g.GetGiftsAsync(recipient));

        Assert.Equal([second.Gift!.Id, first.Gift!.Id], mine.Sent.Select(g => g.Id));
        Assert.Empty(mine.Received);
        Assert.Equal([(first.Gift.Id, CreditGiftStatus.Redeemed)], theirs.Received.Select(g => (g.Id, g.Status)));
        Assert.Empty(theirs.Sent);
    }
}

public sealed class SqliteGiftSenderTests(SqliteCreditsDatabase database) : GiftSenderTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftSenderTests(PostgresCreditsDatabase database) : GiftSenderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftSenderTests(MariaDbCreditsDatabase database) : GiftSenderTests<MariaDbCreditsDatabase>(database);
