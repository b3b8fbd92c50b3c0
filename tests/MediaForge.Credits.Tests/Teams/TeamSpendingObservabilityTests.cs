using System.Diagnostics.Metrics;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// What a use of a team's wallet tells the host's logs and metrics: a charge with its member and credits (once, not again
/// on a replay), each refusal with its reason. Image generation costs 3 credits.
/// </summary>
public abstract class TeamSpendingObservabilityTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int SpentEvent = 1705, RefusedEvent = 1706;
    private readonly FakeLogCollector logs = new();

    private TeamSetup Setup(bool coalesce = true) => new(database, configure: o => o.CoalesceDeductions = coalesce, configureServices: s =>
    {
        s.AddSingleton<IMeterFactory, TestMeterFactory>();
        s.AddLogsTo(logs);
    });

    private static MetricCollector<long> Counter(TeamSetup setup, string name) =>
        new(setup.Services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", name);

    private static void AssertRefusedAs(MetricCollector<long> refusals, string reason) =>
        Assert.True(Assert.Single(refusals.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.reason", reason)));

    private string Logged(int eventId) => Assert.Single(logs.GetSnapshot(), r => r.Id.Id == eventId).Message;

    private static async Task<(string TeamId, string Member, string Owner)> FundedAsync(TeamSetup setup, long? limit = null)
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        if (limit is not null)
        {
            Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, limit))).Success);
        }

        await setup.FundAsync(teamId, 100);
        return (teamId, member, owner);
    }

    [Fact]
    public async Task Deduct_Charged_LogsTheMemberAndTheWalletAndCountsTheCredits()
    {
        var setup = Setup();
        var (teamId, member, _) = await FundedAsync(setup);
        using var consumed = Counter(setup, "mediaforge.credits.consumed");

        await setup.SpendAsync(teamId, member);

        Assert.Equal($"Member {member} spent 3 credits with wallet {CreditWalletAccounts.TeamAccount(teamId)} on image-generation/default; unlimited False",
            Logged(SpentEvent));
        Assert.Equal(3L, Assert.Single(consumed.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task Deduct_Replay_LogsAndCountsNothingAgain()
    {
        var setup = Setup();
        var (teamId, member, _) = await FundedAsync(setup);
        Assert.True((await setup.SpendAsync(teamId, member, key: "render-1")).Success);
        logs.Clear();
        using var consumed = Counter(setup, "mediaforge.credits.consumed");

        var replay = await setup.SpendAsync(teamId, member, key: "render-1");

        Assert.True(replay.IsReplay);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == SpentEvent);
        Assert.Empty(consumed.GetMeasurementSnapshot());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deduct_NotAMember_LogsAndCountsTheRefusalAsNotTeamMember_WithOrWithoutGroupCommit(bool coalesce)
    {
        var setup = Setup(coalesce);
        var (teamId, _, _) = await FundedAsync(setup);
        var stranger = TeamSetup.NewUser("stranger");
        using var rejected = Counter(setup, "mediaforge.credits.deductions.rejected");

        await setup.SpendAsync(teamId, stranger);

        Assert.Equal($"Member {stranger} refused spending with wallet {CreditWalletAccounts.TeamAccount(teamId)} on image-generation/default: NotTeamMember",
            Logged(RefusedEvent));
        AssertRefusedAs(rejected, "not_team_member");
    }

    [Fact]
    public async Task Deduct_FrozenTeam_LogsAndCountsTheRefusalAsTeamFrozen()
    {
        var setup = Setup();
        var (teamId, member, _) = await FundedAsync(setup);
        await setup.WithContextAsync(db => db.Set<CreditTeamRow>().Where(t => t.Id == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, CreditTeamStatus.Frozen)));
        using var rejected = Counter(setup, "mediaforge.credits.deductions.rejected");

        await setup.SpendAsync(teamId, member);

        Assert.EndsWith(": TeamFrozen", Logged(RefusedEvent), StringComparison.Ordinal);
        AssertRefusedAs(rejected, "team_frozen");
    }

    [Fact]
    public async Task Deduct_OverTheLimit_LogsAndCountsTheRefusalAsMemberLimitReached()
    {
        var setup = Setup();
        var (teamId, member, _) = await FundedAsync(setup, limit: 2);
        using var rejected = Counter(setup, "mediaforge.credits.deductions.rejected");

        await setup.SpendAsync(teamId, member);

        Assert.EndsWith(": MemberLimitReached", Logged(RefusedEvent), StringComparison.Ordinal);
        AssertRefusedAs(rejected, "member_limit_reached");
    }

    [Fact]
    public async Task Deduct_PoolTooLow_LogsAndCountsTheRefusalAsInsufficientCredits()
    {
        var setup = Setup();
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 2);
        using var rejected = Counter(setup, "mediaforge.credits.deductions.rejected");

        await setup.SpendAsync(teamId, owner);

        Assert.EndsWith(": InsufficientCredits", Logged(RefusedEvent), StringComparison.Ordinal);
        AssertRefusedAs(rejected, "insufficient_credits");
    }
}

public sealed class SqliteTeamSpendingObservabilityTests(SqliteCreditsDatabase database) : TeamSpendingObservabilityTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSpendingObservabilityTests(PostgresCreditsDatabase database) : TeamSpendingObservabilityTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSpendingObservabilityTests(MariaDbCreditsDatabase database) : TeamSpendingObservabilityTests<MariaDbCreditsDatabase>(database);
