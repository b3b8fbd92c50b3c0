using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// The edges of referrals that the flows do not reach: the arguments and switches of the code, the attach and the
/// manual qualification, a code padded to the longest input looked at, the qualifying amount's boundary, rewards summed in the summary, and the messages a host reads when it misconfigures.
/// </summary>
public abstract class ReferralArgumentTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ReferralSetup Manual() => new(database, o => o.QualifyingEvent = CreditReferralQualifyingEvent.Manual);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task QualifyReferral_BlankReferee_Throws(string referee) =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Manual().Referrals(r => r.QualifyReferralAsync(referee, "video-1")));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task QualifyReferral_BlankReference_Throws(string reference) =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Manual().Referrals(r => r.QualifyReferralAsync(ReferralSetup.NewUser("referee"), reference)));

    [Fact]
    public async Task QualifyReferral_ReferenceOfTheMaximumLength_IsAccepted_OneMoreThrows()
    {
        var manual = Manual();
        var limit = MediaForge.Credits.Storage.Configurations.CreditsModelLimits.Reference;

        Assert.Null(await manual.Referrals(r => r.QualifyReferralAsync(ReferralSetup.NewUser("referee"), new string('r', limit))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => manual.Referrals(r => r.QualifyReferralAsync(ReferralSetup.NewUser("referee"), new string('r', limit + 1))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task GetOrCreateCode_BlankUser_Throws(string user) =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => new ReferralSetup(database).CodeOf(user));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AttachReferral_BlankReferee_Throws(string referee)
    {
        var setup = new ReferralSetup(database);
        var code = await setup.CodeOf(await setup.SignUpAsync("referrer"));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => setup.AttachAsync(referee, code));
    }

    [Fact]
    public async Task AttachReferral_CodePaddedWithSpacesToTheLongestInput_Attaches()
    {
        var setup = new ReferralSetup(database);
        var code = await setup.CodeOf(await setup.SignUpAsync("referrer"));
        var padded = code.PadLeft(MediaForge.Credits.Referrals.CreditReferralCodes.MaxInputLength);

        var result = await setup.AttachAsync(await setup.SignUpAsync("referee"), padded);

        Assert.Equal(CreditReferralAttachOutcome.Attached, result.Outcome);
    }

    [Fact]
    public async Task QualifyReferral_ReferralsOff_ThrowsSayingHowToTurnThemOn()
    {
        var off = new ReferralSetup(database, o => { o.Enabled = false; o.QualifyingEvent = CreditReferralQualifyingEvent.Manual; });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => off.Referrals(r => r.QualifyReferralAsync(ReferralSetup.NewUser("referee"), "video-1")));

        Assert.StartsWith("Referrals are off: set MediaForge:Credits:Referrals:Enabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QualifyReferral_PurchaseQualifyingEvent_ThrowsNamingTheConfiguredEvent()
    {
        var setup = new ReferralSetup(database);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => setup.Referrals(r => r.QualifyReferralAsync(ReferralSetup.NewUser("referee"), "x")));

        Assert.Equal("Referrals qualify on FirstPaidPurchase; QualifyReferralAsync needs the qualifying event Manual.", error.Message);
    }

    [Fact]
    public async Task GetFunnel_NoRange_Throws() =>
        await Assert.ThrowsAsync<ArgumentNullException>(() => new ReferralSetup(database).Referrals(r => r.GetFunnelAsync(null!)));

    [Fact]
    public async Task CompletePurchase_ExactlyTheMinimumQualifyingAmount_RewardsTheReferrer()
    {
        var exact = new ReferralSetup(database, o => o.MinimumQualifyingPurchaseCents = 2999);
        var (referrer, referee) = await exact.ReferredPairAsync();

        await exact.BuyProAsync(referee);

        Assert.Equal(ReferralSetup.Reward, await exact.BalanceAsync(referrer));
        Assert.Equal(CreditReferralStatus.Rewarded, (await exact.ReferralOfAsync(referee))!.Status);
    }

    [Fact]
    public async Task CompletePurchase_PackOfZeroCentsWithNoMinimum_DoesNotQualifyTheReferral()
    {
        var noMinimum = new ReferralSetup(database, o => o.MinimumQualifyingPurchaseCents = 0);
        var (referrer, referee) = await noMinimum.ReferredPairAsync();
        var package = "zero_" + Guid.NewGuid().ToString("N")[..12];
        await noMinimum.WithContextAsync(db =>
        {
            db.Packages.Add(new CreditPackage { Id = package, Name = "Zero", Credits = 10, PriceCents = 0, Currency = "usd", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await noMinimum.With<CreditPurchaseEntry, ICreditPurchaseService>(p => p.StartPurchaseAsync(referee, package, "stripe"));
        await noMinimum.With<bool, ICreditPurchaseService>(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });

        var completed = await noMinimum.With<PurchaseFulfilmentResult, ICreditPurchaseService>(p => p.CompletePurchaseAsync(session, 0, "usd", package, "pi_test_" + Guid.NewGuid().ToString("N")));

        Assert.Equal(PurchaseFulfilmentOutcome.Completed, completed.Outcome);
        Assert.Equal(0, await noMinimum.BalanceAsync(referrer));
        Assert.Equal(CreditReferralStatus.Attached, (await noMinimum.ReferralOfAsync(referee))!.Status);
    }

    [Fact]
    public async Task RefundOfQualifyingPurchase_RewardWasZero_WritesAndLogsNoClawbackOfTheReferrer()
    {
        var logs = new FakeLogCollector();
        var noReward = new ReferralSetup(database, o => o.ReferrerReward = 0,
            services: s => s.AddLogsTo(logs, LogLevel.Information));
        var (referrer, referee) = await noReward.ReferredPairAsync();
        var bought = await noReward.BuyProAsync(referee);
        Assert.Equal(CreditReferralStatus.Rewarded, (await noReward.ReferralOfAsync(referee))!.Status);

        await noReward.RefundAsync(bought.Payment);

        var (balance, _, rows) = await database.ReadLedgerAsync(referrer, noReward.Services);
        Assert.Equal(0, balance);
        Assert.Equal(0, rows);
        var referral = (await noReward.ReferralOfAsync(referee))!;
        Assert.Equal(CreditReferralStatus.ClawedBack, referral.Status);
        Assert.Equal(0, referral.CreditsClawedBack);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 1261); // "Referral reward ... taken back"
    }

    [Fact]
    public async Task AttachReferral_NoMonthlyAttachCap_Attaches()
    {
        var uncapped = new ReferralSetup(database, o => o.MonthlyAttachCap = null);

        var (referrer, referee) = await uncapped.ReferredPairAsync();

        Assert.Equal(referrer, (await uncapped.ReferralOfAsync(referee))!.ReferrerId);
    }

    [Fact]
    public async Task GetSummary_RewardedAndPartlyClawedBack_SumsWhatWasKeptAcrossStatuses()
    {
        var setup = new ReferralSetup(database);
        var (referrer, first) = await setup.ReferredPairAsync();
        var refunded = await setup.BuyProAsync(first);
        await setup.With<CreditDeductionResult, ICreditService>(c => c.DeductCreditsAsync(referrer, "video-generation", "veo2"));
        await setup.RefundAsync(refunded.Payment); // 10 of the 25 clawed back; 15 were spent and stay earned
        var second = await setup.SignUpAsync("referee2", $"{Guid.NewGuid():N}@example.com");
        await setup.AttachAsync(second, await setup.CodeOf(referrer));
        await setup.BuyProAsync(second);

        var summary = await setup.Referrals(r => r.GetSummaryAsync(referrer));

        Assert.Equal(15 + ReferralSetup.Reward, summary.RewardsEarned);
    }
}

public sealed class SqliteReferralArgumentTests(SqliteCreditsDatabase database) : ReferralArgumentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralArgumentTests(PostgresCreditsDatabase database) : ReferralArgumentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralArgumentTests(MariaDbCreditsDatabase database) : ReferralArgumentTests<MariaDbCreditsDatabase>(database);
