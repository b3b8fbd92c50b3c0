using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// The edges of referrals that the flows do not reach: the manual qualification's arguments and switches, the
/// qualifying amount's boundary, rewards summed in the summary, and the messages a host reads when it misconfigures.
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
