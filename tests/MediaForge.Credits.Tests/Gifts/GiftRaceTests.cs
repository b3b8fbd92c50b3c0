using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>Gift operations racing on one gift: the gift row is won once, so exactly one of them applies.</summary>
public abstract class GiftRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Redeem_TwentyConcurrentRedemptionsOfOneCode_OneSucceeds()
    {
        var setup = new GiftSetup(database);
        var (sender, created) = await setup.GiftAsync(100, 60);
        var recipients = Enumerable.Range(0, 20).Select(i => GiftSetup.NewUser($"r{i}")).ToList();

        var results = await Task.WhenAll(recipients.Select(r => Task.Run(() => setup.Gifts(g => g.RedeemGiftAsync(created.Code, r)))));

        var winner = Assert.Single(results, r => r.Success);
        Assert.All(results.Where(r => !r.Success), r => Assert.Equal(CreditGiftError.InvalidCode, r.Error));
        Assert.Equal((40L, 0L, 40L), await setup.AccountAsync(sender));
        var balances = new List<long>();
        foreach (var recipient in recipients)
        {
            var (balance, reserved, sum) = await setup.AccountAsync(recipient);
            Assert.Equal((balance, 0L), (sum, reserved));
            balances.Add(balance);
        }

        Assert.Equal(60, balances.Sum());
        Assert.Equal((60L, 0L, 60L), await setup.AccountAsync(winner.Gift!.RecipientId!));
    }

    [Fact]
    public async Task Redeem_RacingCancel_ExactlyOneWinsAndTheCreditsAreCountedOnce()
    {
        var setup = new GiftSetup(database);
        for (var round = 0; round < 10; round++)
        {
            var (sender, created) = await setup.GiftAsync(50, 50);
            var recipient = GiftSetup.NewUser("recipient");

            var redeem = Task.Run(() => setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient)));
            var cancel = Task.Run(() => setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender)));
            var (redeemed, cancelled) = (await redeem, await cancel);

            Assert.True(redeemed.Success ^ cancelled.Success, $"round {round}: redeem {redeemed.Error}, cancel {cancelled.Error}");
            var (senderBalance, senderReserved, senderSum) = await setup.AccountAsync(sender);
            var (recipientBalance, _, recipientSum) = await setup.AccountAsync(recipient);
            Assert.Equal((redeemed.Success ? 0L : 50L, 0L, senderBalance), (senderBalance, senderReserved, senderSum));
            Assert.Equal((redeemed.Success ? 50L : 0L, recipientBalance), (recipientBalance, recipientSum));
        }
    }

    [Fact]
    public async Task CreateGift_TwoCreatesWithOneKeyRacing_OneGiftIsHeld()
    {
        var setup = new GiftSetup(database);
        var sender = await setup.FundedAsync(100);

        var results = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => setup.Gifts(g => g.CreateGiftAsync(sender, 30, message: "once", idempotencyKey: "gift-key")))));

        Assert.All(results, r => Assert.True(r.Success, $"refused: {r.Error}"));
        Assert.Single(results.Select(r => r.Gift!.Id).Distinct());
        Assert.Single(results, r => !r.IsReplay);
        Assert.Equal((100L, 30L, 100L), await setup.AccountAsync(sender));
        Assert.Single((await setup.Gifts(g => g.GetGiftsAsync(sender))).Sent);
    }
}

public sealed class SqliteGiftRaceTests(SqliteCreditsDatabase database) : GiftRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftRaceTests(PostgresCreditsDatabase database) : GiftRaceTests<PostgresCreditsDatabase>(database);
