using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// The referral calls take the balance rows they depend on before they read or change the referral (decision 0051's
/// tests): an attach and a manual qualification hold the referee's row, so a second call for the same referee waits
/// and finds the first's work done (without the lock it fails on a unique index, or finds the referral changed, and runs
/// again or throws); a reward's clawback holds the referrer's row before it changes the referral, so the referrer's
/// spending that arrives once the clawback began waits for it and finds the reward gone (the clawback reads the balance
/// it takes from, and needs that row held). Each test starts the second call right after the first's write, and lets
/// the first go on once the second waits on a lock (or has ended). PostgreSQL only, as <c>HoldLockOrderTests</c>.
/// </summary>
public abstract class ReferralLockOrderTests<TDatabase> : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TDatabase database;
    private readonly FailedCommands failed = new();
    private readonly AnotherCallAfterTheNextWrite referralChanged;
    private readonly AnotherCallAfterTheNextWrite balanceChanged;
    private readonly ReferralSetup setup;

    protected ReferralLockOrderTests(TDatabase database)
    {
        this.database = database;
        referralChanged = new AnotherCallAfterTheNextWrite(database, "credit_referrals");
        // The balance table's name is in other tables' column names (credits_clawed_back): matched with its statement's start.
        balanceChanged = new AnotherCallAfterTheNextWrite(database, "UPDATE credits ");
        setup = Setup();
    }

    [Fact]
    public async Task AttachReferral_SecondAttachOnceTheFirstHoldsTheReferee_WaitsAndAnswersAlreadyAttached()
    {
        var code = await setup.CodeOf(await setup.SignUpAsync("referrer", $"{Guid.NewGuid():N}@example.com"));
        var referee = await setup.SignUpAsync("referee", $"{Guid.NewGuid():N}@example.com");
        CreditReferralAttachResult? second = null;
        balanceChanged.Call = async () => second = await setup.AttachAsync(referee, code);

        var first = await setup.AttachAsync(referee, code);
        await balanceChanged.Started;

        Assert.Empty(failed.Errors);
        Assert.Equal((CreditReferralAttachOutcome.Attached, CreditReferralAttachOutcome.AlreadyAttached), (first.Outcome, second!.Outcome));
        Assert.Equal(ReferralSetup.Bonus, await setup.BalanceAsync(referee));
    }

    [Fact]
    public async Task QualifyReferral_SecondCallOnceTheFirstHoldsTheReferee_WaitsAndAnswersRewarded()
    {
        var manual = Setup(o => o.QualifyingEvent = CreditReferralQualifyingEvent.Manual);
        var (referrer, referee) = await manual.ReferredPairAsync();
        CreditReferralStatus? second = null;
        balanceChanged.Call = async () => second = await manual.Referrals(r => r.QualifyReferralAsync(referee, "second"));

        var first = await manual.Referrals(r => r.QualifyReferralAsync(referee, "first"));
        await balanceChanged.Started;

        Assert.Empty(failed.Errors);
        Assert.Equal((CreditReferralStatus.Rewarded, CreditReferralStatus.Rewarded), (first, second));
        Assert.Equal(ReferralSetup.Reward, await manual.BalanceAsync(referrer));
    }

    [Fact]
    public async Task RecordRefund_ReferrerSpendingOnceTheClawbackBegan_WaitsAndFindsTheRewardGone()
    {
        var (referrer, referee) = await setup.ReferredPairAsync();
        var purchase = await setup.BuyProAsync(referee);
        CreditDeductionResult? spent = null;
        referralChanged.Call = async () => spent = await setup.With<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(referrer, "image-generation", "default"));

        await setup.RefundAsync(purchase.Payment);
        await referralChanged.Started;

        Assert.Empty(failed.Errors);
        Assert.Equal((false, 0L), (spent!.Success, await setup.BalanceAsync(referrer)));
    }

    private ReferralSetup Setup(Action<CreditReferralOptions>? configure = null) =>
        new(database, configure, configureContext: o => o.AddInterceptors(referralChanged, balanceChanged, failed));
}

public sealed class PostgresReferralLockOrderTests(PostgresCreditsDatabase database) : ReferralLockOrderTests<PostgresCreditsDatabase>(database);
