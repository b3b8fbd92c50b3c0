using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// The instant a gift or its sender's credits lapse belongs to the lapse (the sweep, a sender's refused gift, a code's
/// reissue), and a sender's refused gift ends only that sender's own lapsed gifts, never another's.
/// </summary>
public abstract class GiftLapseInstantTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private GiftSetup Setup => field ??= new GiftSetup(database, time: clock);

    [Fact]
    public async Task ExpireGifts_AtTheInstantOfTheGiftsExpiry_ExpiresIt()
    {
        var sender = await Setup.FundedAsync(50);
        var gift = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(1));

        await Setup.Gifts(g => g.ExpireGiftsAsync());

        Assert.Equal(CreditGiftStatus.Expired, (await Setup.RowAsync(gift.Gift!.Id)).Status);
        Assert.Equal((50L, 0L, 50L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CreateGift_OwnGiftLapsingAtThisInstant_ItsCreditsCountAgain()
    {
        var sender = await Setup.FundedAsync(50);
        var lapsing = await Setup.Gifts(g => g.CreateGiftAsync(sender, 40, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(1));

        var result = await Setup.Gifts(g => g.CreateGiftAsync(sender, 45));

        Assert.True(result.Success, $"refused: {result.Error}");
        Assert.Equal(CreditGiftStatus.Expired, (await Setup.RowAsync(lapsing.Gift!.Id)).Status);
        Assert.Equal((50L, 45L, 50L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CreateGift_Refused_LeavesAnotherSendersLapsedGiftToTheSweep()
    {
        var other = await Setup.FundedAsync(50, name: "other");
        var othersGift = await Setup.Gifts(g => g.CreateGiftAsync(other, 50, clock.GetUtcNow().AddHours(1)));
        var sender = await Setup.FundedAsync(20);
        await Setup.Gifts(g => g.CreateGiftAsync(sender, 20, clock.GetUtcNow().AddHours(5)));
        clock.Advance(TimeSpan.FromHours(2));

        var result = await Setup.Gifts(g => g.CreateGiftAsync(sender, 10));

        Assert.Equal(CreditGiftError.InsufficientCredits, result.Error);
        Assert.Equal(CreditGiftStatus.Pending, (await Setup.RowAsync(othersGift.Gift!.Id)).Status);
        Assert.Equal((50L, 50L, 50L), await Setup.AccountAsync(other));
        Assert.Equal((20L, 20L, 20L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CreateGift_AtTheInstantTheSendersCreditsLapse_Refused()
    {
        var sender = await Setup.FundedAsync(30, clock.GetUtcNow().AddHours(1));
        clock.Advance(TimeSpan.FromHours(1));

        var result = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30));

        Assert.Equal(CreditGiftError.InsufficientCredits, result.Error);
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task ReissueCode_AtTheGiftsExpiryInstant_NotPendingAndTheOldCodeKept()
    {
        var sender = await Setup.FundedAsync(50);
        var gift = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30, clock.GetUtcNow().AddHours(1)));
        var before = (await Setup.RowAsync(gift.Gift!.Id)).CodeHash;
        clock.Advance(TimeSpan.FromHours(1));

        var reissued = await Setup.Gifts(g => g.ReissueCodeAsync(gift.Gift!.Id, sender));

        Assert.Equal((CreditGiftError.NotPending, null), (reissued.Error, reissued.Code));
        Assert.Equal(before, (await Setup.RowAsync(gift.Gift!.Id)).CodeHash);
    }

    [Fact]
    public async Task ReissueCode_OneOfTwoPendingGifts_TheOtherKeepsItsCode()
    {
        var sender = await Setup.FundedAsync(100);
        var reissuedGift = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30));
        var otherGift = await Setup.Gifts(g => g.CreateGiftAsync(sender, 20));

        var reissued = await Setup.Gifts(g => g.ReissueCodeAsync(reissuedGift.Gift!.Id, sender));

        Assert.True(reissued.Success, $"refused: {reissued.Error}");
        Assert.True((await Setup.Gifts(g => g.RedeemGiftAsync(otherGift.Code, GiftSetup.NewUser("a")))).Success);
        Assert.True((await Setup.Gifts(g => g.RedeemGiftAsync(reissued.Code, GiftSetup.NewUser("b")))).Success);
    }
}

public sealed class SqliteGiftLapseInstantTests(SqliteCreditsDatabase database) : GiftLapseInstantTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftLapseInstantTests(PostgresCreditsDatabase database) : GiftLapseInstantTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftLapseInstantTests(MariaDbCreditsDatabase database) : GiftLapseInstantTests<MariaDbCreditsDatabase>(database);
