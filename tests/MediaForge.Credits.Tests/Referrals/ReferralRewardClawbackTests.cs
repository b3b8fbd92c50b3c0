using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Referrals;
/// <summary>
/// The referrer's reward taken back when the referee's qualifying purchase is refunded or a dispute of it is lost: once,
/// within the clawback policy, and never for another purchase.
/// </summary>
public abstract class ReferralRewardClawbackTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ReferralSetup? setup;

    private ReferralSetup Setup => setup ??= new ReferralSetup(database);

    [Fact]
    public async Task RecordRefund_AfterTheReward_TakesTheRewardBackOnce()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.BuyProAsync(referee);

        await Setup.RefundAsync(purchase.Payment);
        await Setup.RefundAsync(purchase.Payment);

        Assert.Equal(0, await Setup.BalanceAsync(referrer));
        var referral = await Setup.ReferralOfAsync(referee);
        Assert.Equal((CreditReferralStatus.ClawedBack, ReferralSetup.Reward), (referral!.Status, referral.CreditsClawedBack));
        await Setup.AssertLedgersAsync(referrer, referee);
    }

    [Fact]
    public async Task RecordRefund_RewardAlreadySpent_ClampsAtZeroUnderTheDefaultPolicy()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.BuyProAsync(referee);
        await Setup.With<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(referrer, "video-generation", "veo2"));

        await Setup.RefundAsync(purchase.Payment);

        Assert.Equal(0, await Setup.BalanceAsync(referrer));
        Assert.Equal(ReferralSetup.Reward - 15, (await Setup.ReferralOfAsync(referee))!.CreditsClawedBack);
    }

    [Fact]
    public async Task RecordRefund_RewardSpentUnderAllowNegativeBalance_LeavesADebt()
    {
        var debt = new ReferralSetup(database, credits: o => o.ClawbackPolicy = CreditClawbackPolicy.AllowNegativeBalance);
        var (referrer, referee) = await debt.ReferredPairAsync();
        var purchase = await debt.BuyProAsync(referee);
        await debt.With<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(referrer, "video-generation", "veo2"));

        await debt.RefundAsync(purchase.Payment);

        Assert.Equal(-15, await debt.BalanceAsync(referrer));
        await debt.AssertLedgersAsync(referrer);
    }

    [Fact]
    public async Task RecordRefund_ThenTheCompletionDeliveredAgain_RewardNotGrantedAgain()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.BuyProAsync(referee);
        await Setup.RefundAsync(purchase.Payment);

        await Setup.CompleteAsync(purchase);

        Assert.Equal(0, await Setup.BalanceAsync(referrer));
        Assert.Equal(CreditReferralStatus.ClawedBack, (await Setup.ReferralOfAsync(referee))!.Status);
    }

    [Fact]
    public async Task RecordRefund_OfAnotherPurchaseOfTheReferee_KeepsTheReward()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        await Setup.BuyProAsync(referee);
        var second = await Setup.BuyProAsync(referee);

        await Setup.RefundAsync(second.Payment);

        Assert.Equal(ReferralSetup.Reward, await Setup.BalanceAsync(referrer));
    }

    [Fact]
    public async Task RecordDispute_Lost_TakesTheRewardBack_OpenKeepsIt()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.BuyProAsync(referee);

        await Setup.With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordDisputeAsync(purchase.Payment, "dp_1", 2999, PaymentDisputeState.Open));
        var whileOpen = await Setup.BalanceAsync(referrer);
        await Setup.With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordDisputeAsync(purchase.Payment, "dp_1", 2999, PaymentDisputeState.Lost));

        Assert.Equal((ReferralSetup.Reward, 0L), (whileOpen, await Setup.BalanceAsync(referrer)));
        Assert.Equal(CreditReferralStatus.ClawedBack, (await Setup.ReferralOfAsync(referee))!.Status);
    }

    [Fact]
    public async Task RecordRefund_AfterTheReward_TheReferrersRowsSayRewardedThenRemovedForTheRefund()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.BuyProAsync(referee);

        await Setup.RefundAsync(purchase.Payment);

        Assert.Equal(["Referral reward removed: the referred purchase was refunded", "Referral reward"], await Setup.DescriptionsAsync(referrer));
    }

    [Fact]
    public async Task RecordDispute_Lost_TheReferrersRowSaysRemovedForTheDispute()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.BuyProAsync(referee);

        await Setup.With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordDisputeAsync(purchase.Payment, "dp_rows", 2999, PaymentDisputeState.Lost));

        Assert.Equal("Referral reward removed: the referred purchase was disputed", (await Setup.DescriptionsAsync(referrer))[0]);
    }

    [Fact]
    public async Task CompletePurchase_RacingItsRefund_RewardStandsExactlyWhenThePurchaseCreditsStand()
    {
        for (var round = 0; round < 8; round++)
        {
            var (referrer, referee) = await Setup.ReferredPairAsync();
            var purchase = await Setup.StartProAsync(referee);

            var complete = Task.Run(() => Setup.CompleteAsync(purchase));
            var refund = Task.Run(() => Setup.RefundAsync(purchase.Payment));
            await Task.WhenAll(complete, refund);
            await Setup.RefundAsync(purchase.Payment); // the provider's retry: whichever order ran, the refund is applied now

            Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
            Assert.Equal(0, await Setup.BalanceAsync(referrer));
            Assert.Equal(CreditReferralStatus.ClawedBack, (await Setup.ReferralOfAsync(referee))!.Status);
            await Setup.AssertLedgersAsync(referrer, referee);
        }
    }
}

public sealed class SqliteReferralRewardClawbackTests(SqliteCreditsDatabase database) : ReferralRewardClawbackTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralRewardClawbackTests(PostgresCreditsDatabase database) : ReferralRewardClawbackTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralRewardClawbackTests(MariaDbCreditsDatabase database) : ReferralRewardClawbackTests<MariaDbCreditsDatabase>(database);
