using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// A referral write whose COMMIT was applied but whose acknowledgement was lost: the caller (or the provider's webhook)
/// retries, and the retry finds the work done; the bonus and the reward are granted once. One behaviour per test.
/// </summary>
public abstract class ReferralCommitFaultTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly CommitFault fault = new();

    private ReferralSetup Setup => field ??= new ReferralSetup(database, configureContext: o => o.AddInterceptors(fault, fault.Commands));

    [Fact]
    public async Task AttachReferral_CommitAcknowledgementLost_RetryAnswersAlreadyAttachedAndGrantsTheBonusOnce()
    {
        var referrer = await Setup.SignUpAsync("referrer", $"{Guid.NewGuid():N}@example.com");
        var referee = await Setup.SignUpAsync("referee", $"{Guid.NewGuid():N}@example.com");
        var code = await Setup.CodeOf(referrer);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.AttachAsync(referee, code));
        var retry = await Setup.AttachAsync(referee, code);

        Assert.Equal(1, fault.Struck);
        Assert.Equal((CreditReferralAttachOutcome.AlreadyAttached, ReferralSetup.Bonus), (retry.Outcome, retry.RefereeBonus));
        Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
        Assert.Equal(1, await Setup.RowsWithKeyAsync(referee, "mf:referral:bonus:" + referee));
        await Setup.AssertLedgersAsync(referee, referrer);
    }

    [Fact]
    public async Task AttachReferral_CommitNeverArrived_RetryAttaches()
    {
        var referrer = await Setup.SignUpAsync("referrer", $"{Guid.NewGuid():N}@example.com");
        var referee = await Setup.SignUpAsync("referee", $"{Guid.NewGuid():N}@example.com");
        var code = await Setup.CodeOf(referrer);

        fault.Arm(CommitFaultKind.CommitNeverArrived);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.AttachAsync(referee, code));
        Assert.Null(await Setup.ReferralOfAsync(referee));
        var retry = await Setup.AttachAsync(referee, code);

        Assert.Equal(CreditReferralAttachOutcome.Attached, retry.Outcome);
        Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
    }

    [Fact]
    public async Task RewardReferral_CommitAcknowledgementLost_WebhookRetryRewardsOnce()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.StartProAsync(referee);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.CompleteAsync(purchase));
        var retry = await Setup.CompleteAsync(purchase);

        Assert.Equal(1, fault.Struck);
        Assert.Equal(PurchaseFulfilmentOutcome.AlreadyCompleted, retry.Outcome);
        Assert.Equal(ReferralSetup.Reward, await Setup.BalanceAsync(referrer));
        Assert.Equal(1, await Setup.RowsWithKeyAsync(referrer, "mf:referral:reward:" + referee));
        Assert.Equal(ReferralSetup.Bonus + 200, await Setup.BalanceAsync(referee));
        Assert.Equal(CreditReferralStatus.Rewarded, (await Setup.ReferralOfAsync(referee))!.Status);
        await Setup.AssertLedgersAsync(referee, referrer);
    }

    [Fact]
    public async Task RewardReferral_CommitNeverArrived_WebhookRetryRewardsOnce()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();
        var purchase = await Setup.StartProAsync(referee);

        fault.Arm(CommitFaultKind.CommitNeverArrived);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.CompleteAsync(purchase));
        Assert.Equal(0, await Setup.BalanceAsync(referrer));
        var retry = await Setup.CompleteAsync(purchase);

        Assert.Equal(PurchaseFulfilmentOutcome.Completed, retry.Outcome);
        Assert.Equal(ReferralSetup.Reward, await Setup.BalanceAsync(referrer));
        Assert.Equal(CreditReferralStatus.Rewarded, (await Setup.ReferralOfAsync(referee))!.Status);
    }
}

public sealed class SqliteReferralCommitFaultTests(SqliteCreditsDatabase database) : ReferralCommitFaultTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralCommitFaultTests(PostgresCreditsDatabase database) : ReferralCommitFaultTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralCommitFaultTests(MariaDbCreditsDatabase database) : ReferralCommitFaultTests<MariaDbCreditsDatabase>(database);
