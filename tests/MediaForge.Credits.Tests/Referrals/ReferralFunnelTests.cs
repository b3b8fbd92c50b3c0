using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// The referral funnel counts each step whose time is in the range: from its start (included) to its end (left out).
/// Each referral here goes through every step at one instant: code, attach, qualifying purchase, reward, refund and
/// clawback. The class has its database to itself (the funnel counts every referral).
/// </summary>
public abstract class ReferralFunnelTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Start = new(2033, 5, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start.AddHours(-1));

    [Fact]
    public async Task GetFunnel_StepsBeforeTheStartAndAtTheEnd_AreLeftOutAndThoseAtTheStartCounted()
    {
        var setup = new ReferralSetup(database, time: clock);
        foreach (var at in new[] { Start.AddHours(-1), Start, Start.AddHours(1) })
        {
            clock.SetUtcNow(at);
            var (_, referee) = await setup.ReferredPairAsync();
            await setup.RefundAsync((await setup.BuyProAsync(referee)).Payment);
        }

        var funnel = await setup.Referrals(r => r.GetFunnelAsync(new CreditAnalyticsRange(Start, Start.AddHours(1))));

        Assert.Equal(new CreditReferralFunnel { CodesCreated = 1, Attached = 1, Qualified = 1, Rewarded = 1, ClawedBack = 1 }, funnel);
    }
}

public sealed class SqliteReferralFunnelTests(SqliteCreditsDatabase database) : ReferralFunnelTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralFunnelTests(PostgresCreditsDatabase database) : ReferralFunnelTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralFunnelTests(MariaDbCreditsDatabase database) : ReferralFunnelTests<MariaDbCreditsDatabase>(database);
