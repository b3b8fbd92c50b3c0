using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// Which of the recipient's credits a refund of a redeemed bought gift takes first: the lot of the redemption's first
/// <see cref="CreditTransactionType.TransferIn"/> row, never the recipient's own lot nor one they got by another transfer,
/// so their other credits keep their expiry.
/// </summary>
public abstract class GiftPurchaseClawbackLotTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private GiftSetup Setup => field ??= new GiftSetup(database);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Refund_GiftOfAPackWithALifetimeRedeemedByAHolderOfSoonerExpiringCredits_TakesTheGiftsLotFirst(bool transferredToThem)
    {
        var buyer = GiftSetup.NewUser("buyer");
        var (payment, code) = await Setup.BoughtGiftWithLifetimeAsync(buyer, 30);
        var recipient = GiftSetup.NewUser("recipient");
        var soon = DateTimeOffset.UtcNow.AddDays(1);
        if (transferredToThem)
        {
            var friend = await Setup.FundedAsync(100, soon, "friend");
            Assert.True((await Setup.Credits(c => c.TransferCreditsAsync(friend, recipient, 100, "a friend's credits"))).Success);
        }
        else
        {
            await Setup.Credits(c => c.AddExpiringCreditsAsync(recipient, 100, CreditTransactionType.Purchase, "recipient's own pack", soon));
        }

        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));

        await Setup.RefundAsync(payment, 1500);

        Assert.Equal(100L, (await Setup.LotsAsync(recipient)).Single(l => l.ExpiresAt < soon.UtcDateTime.AddHours(1)).Remaining);
        Assert.Equal((200L, 0L, 200L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task Refund_PartOfAGiftRedeemedFromTwoOfTheBuyersLots_TakesTheLotOfTheRedemptionsFirstRowFirst()
    {
        var buyer = GiftSetup.NewUser("buyer");
        var soon = DateTimeOffset.UtcNow.AddDays(1);
        await Setup.Credits(c => c.AddExpiringCreditsAsync(buyer, 50, CreditTransactionType.Purchase, "the buyer's own pack", soon));
        var (payment, code) = await Setup.BoughtGiftWithLifetimeAsync(buyer, 30);
        var recipient = GiftSetup.NewUser("recipient");
        // By the burn rule the buyer's 50 sooner-expiring credits go first: the recipient gets them, then 150 of the pack.
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
        var redeemed = await Setup.LotsAsync(recipient);
        Assert.Equal([50L, 150L], redeemed.Select(l => l.Remaining));

        await Setup.RefundAsync(payment, 1500);

        var lot = Assert.Single(await Setup.LotsAsync(recipient));
        Assert.Equal((redeemed[1].ExpiresAt, 100L), (lot.ExpiresAt, lot.Remaining));
    }
}

public sealed class SqliteGiftPurchaseClawbackLotTests(SqliteCreditsDatabase database) : GiftPurchaseClawbackLotTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftPurchaseClawbackLotTests(PostgresCreditsDatabase database) : GiftPurchaseClawbackLotTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftPurchaseClawbackLotTests(MariaDbCreditsDatabase database) : GiftPurchaseClawbackLotTests<MariaDbCreditsDatabase>(database);
