using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>A gift not redeemed by its expiry goes back to its sender, once: the sweep, and a redemption racing it.</summary>
public abstract class GiftExpiryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ExpireGifts_PastTheirExpiry_GoBackToTheSenderOnce()
    {
        var setup = new GiftSetup(database, time: clock);
        var sender = await setup.FundedAsync(100);
        var lapsing = await setup.Gifts(g => g.CreateGiftAsync(sender, 30, clock.GetUtcNow().AddHours(1)));
        var lasting = await setup.Gifts(g => g.CreateGiftAsync(sender, 20, clock.GetUtcNow().AddHours(3)));
        clock.Advance(TimeSpan.FromHours(2));

        var first = await setup.Gifts(g => g.ExpireGiftsAsync());
        var second = await setup.Gifts(g => g.ExpireGiftsAsync());

        Assert.Equal((1, 0), (first, second));
        Assert.Equal(CreditGiftStatus.Expired, (await setup.RowAsync(lapsing.Gift!.Id)).Status);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, (await setup.RowAsync(lapsing.Gift!.Id)).SettledAt);
        Assert.Equal(CreditGiftStatus.Pending, (await setup.RowAsync(lasting.Gift!.Id)).Status);
        Assert.Equal((100L, 20L, 100L), await setup.AccountAsync(sender));
        Assert.Equal(CreditGiftError.InvalidCode, (await setup.Gifts(g => g.RedeemGiftAsync(lapsing.Code, GiftSetup.NewUser("late")))).Error);
    }

    [Fact]
    public async Task ExpireGifts_GiftsDisabledAfterwards_StillGiveTheCreditsBack()
    {
        var setup = new GiftSetup(database, time: clock);
        var sender = await setup.FundedAsync(100);
        await setup.Gifts(g => g.CreateGiftAsync(sender, 30, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(2));
        var disabled = new GiftSetup(database, o => o.Gifts.Enabled = false, clock);

        Assert.Equal(1, await disabled.Gifts(g => g.ExpireGiftsAsync()));
        Assert.Equal((100L, 0L, 100L), await setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CreateGift_OwnLapsedGiftNotSweptYet_ItsCreditsCountAgain()
    {
        var setup = new GiftSetup(database, time: clock);
        var sender = await setup.FundedAsync(50);
        await setup.Gifts(g => g.CreateGiftAsync(sender, 40, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(2));

        var result = await setup.Gifts(g => g.CreateGiftAsync(sender, 45));

        Assert.True(result.Success, $"refused: {result.Error}");
        Assert.Equal((50L, 45L, 50L), await setup.AccountAsync(sender));
    }

    [Fact]
    public async Task HeldCredits_LotLapsesWhileHeld_NotExpiredUntilTheGiftEnds()
    {
        var setup = new GiftSetup(database, time: clock);
        var sender = await setup.FundedAsync(30, clock.GetUtcNow().AddHours(1));
        var created = await setup.Gifts(g => g.CreateGiftAsync(sender, 30, clock.GetUtcNow().AddHours(5)));
        clock.Advance(TimeSpan.FromHours(2));

        await setup.Credits(c => c.ExpireCreditsAsync());

        Assert.Equal((30L, 30L, 30L), await setup.AccountAsync(sender));
        var recipient = GiftSetup.NewUser("recipient");
        Assert.True((await setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient))).Success);
        Assert.Equal([(30L, clock.GetUtcNow().AddHours(-1).UtcDateTime)], (await setup.LotsAsync(recipient)).Select(l => (l.Remaining, l.ExpiresAt)));
    }

    [Fact]
    public async Task Redeem_RacingTheExpirySweepAtTheExpiry_ExactlyOneApplies()
    {
        for (var round = 0; round < 10; round++)
        {
            var time = new FakeTimeProvider(clock.GetUtcNow());
            var setup = new GiftSetup(database, time: time);
            var sender = await setup.FundedAsync(50);
            var created = await setup.Gifts(g => g.CreateGiftAsync(sender, 50, time.GetUtcNow().AddHours(1)));
            var recipient = GiftSetup.NewUser("recipient");
            // The sweep sees the gift lapsed while the redemption (its clock read first) does not.
            var sweeper = new GiftSetup(database, time: new FakeTimeProvider(time.GetUtcNow().AddHours(2)));

            var redeem = Task.Run(() => setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient)));
            var sweep = Task.Run(() => sweeper.Gifts(g => g.ExpireGiftsAsync()));
            var (redeemed, swept) = (await redeem, await sweep);

            Assert.True(redeemed.Success ^ (swept == 1), $"round {round}: redeem {redeemed.Error}, swept {swept}");
            Assert.Equal(redeemed.Success ? (0L, 0L, 0L) : (50L, 0L, 50L), await setup.AccountAsync(sender));
            Assert.Equal(redeemed.Success ? (50L, 0L, 50L) : (0L, 0L, 0L), await setup.AccountAsync(recipient));
        }
    }
}

public sealed class SqliteGiftExpiryTests(SqliteCreditsDatabase database) : GiftExpiryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftExpiryTests(PostgresCreditsDatabase database) : GiftExpiryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftExpiryTests(MariaDbCreditsDatabase database) : GiftExpiryTests<MariaDbCreditsDatabase>(database);
