using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// A pack bought as a gift: fulfilment holds exactly its credits under one gift (also under retries and racing
/// deliveries); a refund or lost dispute revokes the gift while pending, or claws the credits back from the recipient
/// once redeemed; a redemption racing the refund never deadlocks and never lets the credits out twice.
/// </summary>
public abstract class GiftPurchaseTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const long Pro = 200;

    private GiftSetup Setup => field ??= new GiftSetup(database);

    [Fact]
    public async Task CompletePurchase_BoughtAsGift_HoldsThePackUnderAPendingGift()
    {
        var buyer = GiftSetup.NewUser("buyer");

        var (_, _, result) = await Setup.BuyProAsync(buyer, gift: true);

        Assert.True(result.Purchase!.IsGift);
        var gift = await Setup.RowAsync(result.GiftId!.Value);
        Assert.Equal((buyer, Pro, CreditGiftStatus.Pending, result.Purchase.Id), (gift.SenderId, gift.Amount, gift.Status, gift.PurchaseId));
        Assert.Equal((Pro, Pro, Pro), await Setup.AccountAsync(buyer));
        Assert.Equal(0, (await Setup.Credits(c => c.GetBalanceAsync(buyer))).Available);
    }

    [Fact]
    public async Task CompletePurchase_NotAGift_HasNoGift()
    {
        var (_, _, result) = await Setup.BuyProAsync(GiftSetup.NewUser("buyer"), gift: false);

        Assert.Equal((false, null), (result.Purchase!.IsGift, result.GiftId));
    }

    [Fact]
    public async Task StartGiftPurchase_GiftsDisabled_Throws()
    {
        var setup = new GiftSetup(database, o => o.Gifts.Enabled = false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => setup.StartProAsync(GiftSetup.NewUser("buyer"), gift: true));
    }

    [Fact]
    public async Task CompletePurchase_WebhookRetriedAndSuccessPageRacing_OneGift()
    {
        var buyer = GiftSetup.NewUser("buyer");
        var purchase = await Setup.StartProAsync(buyer, gift: true);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => Setup.CompleteAsync(purchase))));
        var late = await Setup.CompleteAsync(purchase);

        Assert.Single(results, r => r.Outcome == PurchaseFulfilmentOutcome.Completed);
        Assert.Single(results.Append(late).Select(r => r.GiftId).Distinct());
        Assert.NotNull(late.GiftId);
        Assert.Single((await Setup.Gifts(g => g.GetGiftsAsync(buyer))).Sent);
        Assert.Equal((Pro, Pro, Pro), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task BoughtGift_Redeemed_RecipientGetsThePack()
    {
        var (buyer, _, _, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");

        Assert.True((await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient))).Success);

        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
        Assert.Equal((Pro, 0L, Pro), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task Refund_GiftStillPending_RevokesItAndClawsBackFromTheBuyer()
    {
        var (buyer, payment, giftId, code) = await Setup.BoughtGiftAsync();

        var reversal = await Setup.RefundAsync(payment);

        Assert.Equal((Pro, 0L), (reversal.CreditsRemoved, reversal.Shortfall));
        Assert.Equal(CreditGiftStatus.Revoked, (await Setup.RowAsync(giftId)).Status);
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
        Assert.Equal(CreditGiftError.InvalidCode, (await Setup.Gifts(g => g.RedeemGiftAsync(code, GiftSetup.NewUser("late")))).Error);
    }

    [Fact]
    public async Task Refund_GiftRedeemed_ClawsBackFromTheRecipientNotTheBuyer()
    {
        var (buyer, payment, giftId, code) = await Setup.BoughtGiftAsync();
        await Setup.Credits(c => c.AddCreditsAsync(buyer, 70, CreditTransactionType.Purchase, "buyer's own pack"));
        var recipient = GiftSetup.NewUser("recipient");
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));

        var reversal = await Setup.RefundAsync(payment);

        Assert.Equal((Pro, 0L), (reversal.CreditsRemoved, reversal.Shortfall));
        Assert.Equal(CreditGiftStatus.Redeemed, (await Setup.RowAsync(giftId)).Status);
        Assert.Equal((70L, 0L, 70L), await Setup.AccountAsync(buyer));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task Refund_GiftRedeemedAndPartlySpent_ClampsAtTheRecipientsBalance()
    {
        var (_, payment, _, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
        await Setup.Credits(c => c.AdjustCreditsAsync(recipient, -150, "spent", "test"));

        var reversal = await Setup.RefundAsync(payment);

        Assert.Equal((50L, 150L), (reversal.CreditsRemoved, reversal.Shortfall));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task Refund_InTwoPartsOfAGiftRedeemedShort_TakesNoMoreFromTheRecipientThanWasRedeemed()
    {
        var (buyer, payment, giftId, code) = await Setup.BoughtGiftAsync();
        var (_, ownPayment, _) = await Setup.BuyProAsync(buyer, gift: false);
        await Setup.Credits(c => c.AdjustCreditsAsync(buyer, -130, "spent", "test"));
        await Setup.RefundAsync(ownPayment);
        var recipient = GiftSetup.NewUser("recipient");
        await Setup.Credits(c => c.AddCreditsAsync(recipient, 500, CreditTransactionType.Purchase, "recipient's own pack"));
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
        var redeemed = (await Setup.RowAsync(giftId)).RedeemedAmount;

        var half = await Setup.RefundAsync(payment, 1500);
        var rest = await Setup.RefundAsync(payment, 2999);

        Assert.Equal((70L, 70L, 0L), (redeemed, half.CreditsRemoved, rest.CreditsRemoved));
        Assert.Equal((500L, 0L, 500L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task Refund_SecondPartAfterTheRecipientRanShort_TakesOnlyTheSecondShare()
    {
        var (_, payment, _, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
        await Setup.Credits(c => c.AdjustCreditsAsync(recipient, -180, "spent", "test"));
        var half = await Setup.RefundAsync(payment, 1500);
        await Setup.Credits(c => c.AddCreditsAsync(recipient, 500, CreditTransactionType.Purchase, "recipient's own pack"));

        var rest = await Setup.RefundAsync(payment);

        Assert.Equal(((20L, 80L), (100L, 0L)), ((half.CreditsRemoved, half.Shortfall), (rest.CreditsRemoved, rest.Shortfall)));
        Assert.Equal((400L, 0L, 400L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task Refund_GiftCancelledBefore_ClawsBackFromTheBuyer()
    {
        var (buyer, payment, giftId, _) = await Setup.BoughtGiftAsync();
        await Setup.Gifts(g => g.CancelGiftAsync(giftId, buyer));

        await Setup.RefundAsync(payment);

        Assert.Equal(CreditGiftStatus.Cancelled, (await Setup.RowAsync(giftId)).Status);
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task Redeem_GiftWhoseCreditsARefundTookAll_RedeemsNothingAndWritesNoTransferRows()
    {
        var sender = GiftSetup.NewUser("sender");
        var (_, payment, _) = await Setup.BuyProAsync(sender, gift: false);
        var created = await Setup.Gifts(g => g.CreateGiftAsync(sender, 200));
        await Setup.RefundAsync(payment);
        var recipient = GiftSetup.NewUser("recipient");

        var result = await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));

        Assert.Equal((true, 0L), (result.Success, result.Gift!.RedeemedAmount));
        Assert.DoesNotContain(await Setup.RowsAsync(sender), r => r.Type == CreditTransactionType.TransferOut);
        Assert.Empty(await Setup.RowsAsync(recipient));
    }

    [Fact]
    public async Task LostDispute_GiftStillPending_RevokesIt()
    {
        var (buyer, payment, giftId, _) = await Setup.BoughtGiftAsync();

        await Setup.With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordDisputeAsync(payment, "dp_1", 2999, PaymentDisputeState.Lost));

        Assert.Equal(CreditGiftStatus.Revoked, (await Setup.RowAsync(giftId)).Status);
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task RedeemThenRefund_CreditsLeaveTheRecipientOnce()
    {
        var (buyer, payment, _, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");

        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
        await Setup.RefundAsync(payment);
        await Setup.RefundAsync(payment);

        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task RefundThenRedeem_RedemptionRefusedAndNothingMoves()
    {
        var (buyer, payment, _, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");

        await Setup.RefundAsync(payment);
        var redeemed = await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));

        Assert.Equal(CreditGiftError.InvalidCode, redeemed.Error);
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task RedeemRacingRefund_NeitherFailsAndThePackIsTakenBackOnce()
    {
        for (var round = 0; round < 10; round++)
        {
            var (buyer, payment, _, code) = await Setup.BoughtGiftAsync();
            var recipient = GiftSetup.NewUser("recipient");

            var redeem = Task.Run(() => Setup.Gifts(g => g.RedeemGiftAsync(code, recipient)));
            var refund = Task.Run(() => Setup.RefundAsync(payment));
            var (redeemed, refunded) = (await redeem, await refund);

            Assert.True(redeemed.Success || redeemed.Error == CreditGiftError.InvalidCode, $"round {round}: {redeemed.Error}");
            Assert.Equal(Pro, refunded.CreditsRemoved);
            Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
            Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(recipient));
        }
    }
}

public sealed class SqliteGiftPurchaseTests(SqliteCreditsDatabase database) : GiftPurchaseTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftPurchaseTests(PostgresCreditsDatabase database) : GiftPurchaseTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftPurchaseTests(MariaDbCreditsDatabase database) : GiftPurchaseTests<MariaDbCreditsDatabase>(database);
