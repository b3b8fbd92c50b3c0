using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// The referrer's reward: granted once when the referee's first paid purchase completes (under retries and races),
/// capped per referrer and calendar month, taken back when that purchase is refunded or a dispute of it is lost.
/// </summary>
public abstract class ReferralRewardTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ReferralSetup? setup;

    private ReferralSetup Setup => setup ??= new ReferralSetup(database);

    [Fact]
    public async Task CompletePurchase_RefereesFirstPaidPurchase_RewardsTheReferrerOnce()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();

        await Setup.BuyProAsync(referee);
        await Setup.BuyProAsync(referee);

        Assert.Equal(ReferralSetup.Reward, await Setup.BalanceAsync(referrer));
        var referral = await Setup.ReferralOfAsync(referee);
        Assert.Equal((CreditReferralStatus.Rewarded, ReferralSetup.Reward), (referral!.Status, referral.Reward));
        Assert.NotNull(referral.QualifyingPurchaseId);
        Assert.Equal(1, await Setup.RowsWithKeyAsync(referrer, "mf:referral:reward:" + referee));
    }

    [Fact]
    public async Task CompletePurchase_RefereesFirstPaidPurchase_RecordsItsPaymentAsTheQualifyingReference()
    {
        var (_, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.StartProAsync(referee);

        await Setup.CompleteAsync(purchase);

        Assert.Equal(purchase.Payment, (await Setup.ReferralOfAsync(referee))!.QualifyingReference);
    }

    [Fact]
    public async Task CompletePurchase_WebhookDeliveredFiveTimes_RewardedOnce()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.StartProAsync(referee);

        for (var i = 0; i < 5; i++)
        {
            await Setup.CompleteAsync(purchase);
        }

        Assert.Equal(ReferralSetup.Reward, await Setup.BalanceAsync(referrer));
    }

    [Fact]
    public async Task CompletePurchase_TwentyConcurrentDeliveries_RewardedOnce()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.StartProAsync(referee);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Setup.CompleteAsync(purchase))));

        Assert.Single(results, r => r.Outcome == PurchaseFulfilmentOutcome.Completed);
        Assert.Equal(ReferralSetup.Reward, await Setup.BalanceAsync(referrer));
        Assert.Equal(200 + ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
        await Setup.AssertLedgersAsync(referrer, referee);
    }

    [Fact]
    public async Task CompletePurchase_NotReferred_RewardsNobody()
    {
        var user = await Setup.SignUpAsync("alone");

        await Setup.BuyProAsync(user);

        Assert.Null(await Setup.ReferralOfAsync(user));
        Assert.Equal(200, await Setup.BalanceAsync(user));
    }

    [Fact]
    public async Task CompletePurchase_BelowTheMinimumQualifyingAmount_RewardsNothing()
    {
        var strict = new ReferralSetup(database, o => o.MinimumQualifyingPurchaseCents = 5000);
        var (referrer, referee) = await strict.ReferredPairAsync();

        await strict.BuyProAsync(referee);

        Assert.Equal(0, await strict.BalanceAsync(referrer));
        Assert.Equal(CreditReferralStatus.Attached, (await strict.ReferralOfAsync(referee))!.Status);
    }

    [Fact]
    public async Task CompletePurchase_ManualQualifyingEvent_RewardsOnlyWhenTheHostReportsIt()
    {
        var manual = new ReferralSetup(database, o => o.QualifyingEvent = CreditReferralQualifyingEvent.Manual);
        var (referrer, referee) = await manual.ReferredPairAsync();
        await manual.BuyProAsync(referee);
        var before = await manual.BalanceAsync(referrer);

        var first = await manual.Referrals(r => r.QualifyReferralAsync(referee, "video-published-1"));
        var second = await manual.Referrals(r => r.QualifyReferralAsync(referee, "video-published-2"));

        Assert.Equal((0L, CreditReferralStatus.Rewarded, CreditReferralStatus.Rewarded), (before, first, second));
        Assert.Equal(ReferralSetup.Reward, await manual.BalanceAsync(referrer));
        Assert.Equal("video-published-1", (await manual.ReferralOfAsync(referee))!.QualifyingReference);
    }

    [Fact]
    public async Task QualifyReferral_PurchaseQualifyingEvent_Throws()
    {
        var (_, referee) = await Setup.ReferredPairAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Setup.Referrals(r => r.QualifyReferralAsync(referee, "x")));
    }

    [Fact]
    public async Task CompletePurchase_RefereeNowHasTheReferrersEmail_DisqualifiedWithoutReward()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        await Setup.TakeEmailOfAsync(referee, referrer);

        await Setup.BuyProAsync(referee);

        Assert.Equal(CreditReferralStatus.Disqualified, (await Setup.ReferralOfAsync(referee))!.Status);
        Assert.Equal(0, await Setup.BalanceAsync(referrer));
    }

    [Fact]
    public async Task CompletePurchase_TenConcurrentQualificationsOfOneReferrer_NeverMoreThanTheMonthlyCap()
    {
        var referrer = await Setup.SignUpAsync("referrer");
        var code = await Setup.CodeOf(referrer);
        var purchases = new List<(string Session, string Payment)>();
        var referees = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var referee = await Setup.SignUpAsync("referee" + i);
            await Setup.AttachAsync(referee, code);
            referees.Add(referee);
            purchases.Add(await Setup.StartProAsync(referee));
        }

        await Task.WhenAll(purchases.Select(p => Task.Run(() => Setup.CompleteAsync(p))));

        Assert.Equal(3 * ReferralSetup.Reward, await Setup.BalanceAsync(referrer));
        var statuses = new List<CreditReferralStatus>();
        foreach (var referee in referees)
        {
            statuses.Add((await Setup.ReferralOfAsync(referee))!.Status);
        }

        Assert.Equal((3, 7), (statuses.Count(s => s == CreditReferralStatus.Rewarded), statuses.Count(s => s == CreditReferralStatus.CapReached)));
        await Setup.AssertLedgersAsync([referrer, .. referees]);
    }

    [Fact]
    public async Task CompletePurchase_CapReachedLastMonth_RewardsAgainThisMonth()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 1, 31, 23, 0, 0, TimeSpan.Zero));
        var timed = new ReferralSetup(database, o => o.MonthlyRewardCap = 1, time);
        var referrer = await timed.SignUpAsync("referrer");
        var code = await timed.CodeOf(referrer);
        var (january, february, late) = (await timed.SignUpAsync("jan"), await timed.SignUpAsync("feb"), await timed.SignUpAsync("late"));
        foreach (var referee in new[] { january, february, late })
        {
            await timed.AttachAsync(referee, code);
        }

        await timed.BuyProAsync(january);
        await timed.BuyProAsync(late);
        time.Advance(TimeSpan.FromHours(1));
        await timed.BuyProAsync(february);

        Assert.Equal(CreditReferralStatus.CapReached, (await timed.ReferralOfAsync(late))!.Status);
        Assert.Equal(CreditReferralStatus.Rewarded, (await timed.ReferralOfAsync(february))!.Status);
        Assert.Equal(2 * ReferralSetup.Reward, await timed.BalanceAsync(referrer));
    }

    [Fact]
    public async Task Reconcile_AfterRewardsAndClawbacks_ReportsNoDiscrepancy()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.BuyProAsync(referee);
        await Setup.RefundAsync(purchase.Payment);
        var (_, other) = await Setup.ReferredPairAsync();
        await Setup.BuyProAsync(other);

        var report = await Setup.With<CreditReconciliationReport, ICreditReconciliation>(r => r.ReconcileAsync());

        Assert.Empty(report.BalanceDiscrepancies);
        Assert.Empty(report.MissingGrants);
        await Setup.AssertLedgersAsync(referrer, referee, other);
    }

    [Fact]
    public async Task GetSummary_Referrer_CountsStatusesAndRewardsWithoutRefereeData()
    {
        var referrer = await Setup.SignUpAsync("referrer");
        var code = await Setup.CodeOf(referrer);
        var referees = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var referee = await Setup.SignUpAsync("referee" + i, $"{Guid.NewGuid():N}@example.com");
            await Setup.AttachAsync(referee, code);
            referees.Add(referee);
        }

        await Setup.BuyProAsync(referees[0]);
        await Setup.RefundAsync((await Setup.BuyProAsync(referees[1])).Payment);

        var summary = await Setup.Referrals(r => r.GetSummaryAsync(referrer));

        Assert.Equal((code, 3, ReferralSetup.Reward), (summary.Code, summary.Referred, summary.RewardsEarned));
        Assert.Equal(
            [(CreditReferralStatus.Attached, 1), (CreditReferralStatus.Rewarded, 1), (CreditReferralStatus.ClawedBack, 1)],
            summary.Statuses.OrderBy(s => s.Key).Select(s => (s.Key, s.Value)));
    }

    [Fact]
    public async Task GetSummary_TwoRewards_EarnedIsTheirSum()
    {
        var (referrer, referees) = await Setup.ReferrerWithRefereesAsync(2);
        await Setup.BuyProAsync(referees[0]);
        await Setup.BuyProAsync(referees[1]);

        Assert.Equal(2 * ReferralSetup.Reward, (await Setup.Referrals(r => r.GetSummaryAsync(referrer))).RewardsEarned);
    }

    [Fact]
    public async Task BonusAndReward_WithABonusCreditLifetime_ExpireThatLongAfterTheirGrant()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2033, 6, 1, 9, 0, 0, TimeSpan.Zero));
        var timed = new ReferralSetup(database, time: time, credits: o => o.BonusCreditLifetime = TimeSpan.FromDays(30));
        var (referrer, referee) = await timed.ReferredPairAsync();
        await timed.BuyProAsync(referee);

        var expected = new CreditExpiration(ReferralSetup.Bonus, time.GetUtcNow().AddDays(30));
        Assert.Equal(expected, (await timed.With<CreditBalance, ICreditService>(c => c.GetBalanceAsync(referee))).NextExpiration);
        Assert.Equal(expected with { Amount = ReferralSetup.Reward }, (await timed.With<CreditBalance, ICreditService>(c => c.GetBalanceAsync(referrer))).NextExpiration);
    }

    [Fact]
    public async Task GetFunnel_Range_CountsEachStepInIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2032, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var timed = new ReferralSetup(database, time: time);
        var (_, referee) = await timed.ReferredPairAsync();
        var (_, refunded) = await timed.ReferredPairAsync();
        await timed.BuyProAsync(referee);
        await timed.RefundAsync((await timed.BuyProAsync(refunded)).Payment);
        await timed.CodeOf(await timed.SignUpAsync("sharer"));

        var funnel = await timed.Referrals(r => r.GetFunnelAsync(new CreditAnalyticsRange(time.GetUtcNow(), time.GetUtcNow().AddSeconds(1))));

        Assert.Equal(new CreditReferralFunnel { CodesCreated = 3, Attached = 2, Qualified = 2, Rewarded = 2, ClawedBack = 1 }, funnel);
    }
}

public sealed class SqliteReferralRewardTests(SqliteCreditsDatabase database) : ReferralRewardTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralRewardTests(PostgresCreditsDatabase database) : ReferralRewardTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralRewardTests(MariaDbCreditsDatabase database) : ReferralRewardTests<MariaDbCreditsDatabase>(database);
