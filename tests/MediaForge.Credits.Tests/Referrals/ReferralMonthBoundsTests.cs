using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// The monthly caps count a month from its first instant (included) to the next month's (left out), in UTC: rewards by
/// when they were granted, referees by when they were attached; a referral qualified without a reward counts for
/// neither. Two clocks on one database stand for two servers, one already in the next month.
/// </summary>
public abstract class ReferralMonthBoundsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset February = new(2032, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset March = new(2032, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private ReferralSetup RewardCapOfOne(DateTimeOffset now) => new(database, o => o.MonthlyRewardCap = 1, new FakeTimeProvider(now));

    private ReferralSetup AttachCapOfOne(DateTimeOffset now) => new(database, o => o.MonthlyAttachCap = 1, new FakeTimeProvider(now));

    [Fact]
    public async Task CompletePurchase_RewardAtTheFirstInstantOfTheMonth_CountsTowardsThatMonthsCap()
    {
        var (first, later) = (RewardCapOfOne(February), RewardCapOfOne(February.AddDays(1)));
        var (referrer, referees) = await first.ReferrerWithRefereesAsync(2);

        await first.BuyProAsync(referees[0]);
        await later.BuyProAsync(referees[1]);

        Assert.Equal(CreditReferralStatus.Rewarded, (await first.ReferralOfAsync(referees[0]))!.Status);
        Assert.Equal(CreditReferralStatus.CapReached, (await first.ReferralOfAsync(referees[1]))!.Status);
        Assert.Equal(ReferralSetup.Reward, await first.BalanceAsync(referrer));
    }

    [Fact]
    public async Task CompletePurchase_RewardAtTheFirstInstantOfNextMonth_NotCountedInThisMonthsCap()
    {
        var (february, march) = (RewardCapOfOne(March.AddDays(-2)), RewardCapOfOne(March));
        var (referrer, referees) = await february.ReferrerWithRefereesAsync(2);

        await march.BuyProAsync(referees[0]);
        await february.BuyProAsync(referees[1]);

        Assert.Equal(CreditReferralStatus.Rewarded, (await february.ReferralOfAsync(referees[1]))!.Status);
        Assert.Equal(2 * ReferralSetup.Reward, await february.BalanceAsync(referrer));
    }

    [Fact]
    public async Task CompletePurchase_DisqualifiedReferralThisMonth_NotCountedTowardsTheCap()
    {
        var setup = RewardCapOfOne(February.AddDays(3));
        var (referrer, referees) = await setup.ReferrerWithRefereesAsync(2);
        await setup.TakeEmailOfAsync(referees[0], referrer);

        await setup.BuyProAsync(referees[0]);
        await setup.BuyProAsync(referees[1]);

        Assert.Equal(CreditReferralStatus.Disqualified, (await setup.ReferralOfAsync(referees[0]))!.Status);
        Assert.Null((await setup.ReferralOfAsync(referees[0]))!.RewardedAt);
        Assert.Equal(CreditReferralStatus.Rewarded, (await setup.ReferralOfAsync(referees[1]))!.Status);
    }

    [Fact]
    public async Task AttachReferral_AttachedAtTheFirstInstantOfTheMonth_CountsTowardsThatMonthsAttachCap()
    {
        var (first, later) = (AttachCapOfOne(February), AttachCapOfOne(February.AddDays(1)));
        var referrer = await first.SignUpAsync("referrer", $"{Guid.NewGuid():N}@example.com");
        var code = await first.CodeOf(referrer);
        var (early, late) = (await first.SignUpAsync("early"), await later.SignUpAsync("late"));

        Assert.Equal(CreditReferralAttachOutcome.Attached, (await first.AttachAsync(early, code)).Outcome);
        Assert.Equal(CreditReferralAttachOutcome.CapReached, (await later.AttachAsync(late, code)).Outcome);
    }

    [Fact]
    public async Task AttachReferral_AttachedAtTheFirstInstantOfNextMonth_NotCountedThisMonth()
    {
        var (february, march) = (AttachCapOfOne(March.AddDays(-2)), AttachCapOfOne(March));
        var referrer = await february.SignUpAsync("referrer", $"{Guid.NewGuid():N}@example.com");
        var code = await february.CodeOf(referrer);
        var (marchReferee, februaryReferee) = (await february.SignUpAsync("march"), await february.SignUpAsync("february"));

        Assert.Equal(CreditReferralAttachOutcome.Attached, (await march.AttachAsync(marchReferee, code)).Outcome);
        Assert.Equal(CreditReferralAttachOutcome.Attached, (await february.AttachAsync(februaryReferee, code)).Outcome);
    }
}

public sealed class SqliteReferralMonthBoundsTests(SqliteCreditsDatabase database) : ReferralMonthBoundsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralMonthBoundsTests(PostgresCreditsDatabase database) : ReferralMonthBoundsTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralMonthBoundsTests(MariaDbCreditsDatabase database) : ReferralMonthBoundsTests<MariaDbCreditsDatabase>(database);
