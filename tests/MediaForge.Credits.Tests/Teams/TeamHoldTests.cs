using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Holds on a team's wallet: members only; the held amount counts against the member's limit when placed; a release
/// gives it back, a capture keeps what it charged and gives back the rest; the capture's usage log names the member.
/// Image generation costs 3 credits.
/// </summary>
public abstract class TeamHoldTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private static DateTime Period => CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

    private Task<CreditReservationResult> HoldAsync(string teamId, string member, long? amount = null, string? key = null) =>
        setup.Holds(h => h.ReserveCreditsAsync(member, "image-generation", "default", amount: amount, idempotencyKey: key, wallet: CreditWallet.Team(teamId)));

    [Fact]
    public async Task Reserve_Member_HoldsThePoolAndCountsAgainstTheLimit()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);

        var hold = await HoldAsync(teamId, owner);

        Assert.Equal((true, 3L, 7L), (hold.Success, hold.Amount, hold.Available));
        Assert.Equal(3L, await setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Reserve_NonMember_IsRefusedAndHoldsNothing()
    {
        var (teamId, _) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);

        var hold = await HoldAsync(teamId, TeamSetup.NewUser("stranger"));

        Assert.Equal((false, CreditDeductionError.NotTeamMember, 0L), (hold.Success, hold.Error, hold.Available));
        Assert.Equal(10L, (await setup.Teams(t => t.GetBalanceAsync(teamId)))!.Available);
    }

    [Fact]
    public async Task Reserve_OverTheLimit_IsRefused()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 5))).Success);
        await setup.FundAsync(teamId, 100);
        Assert.True((await HoldAsync(teamId, member)).Success);

        var second = await HoldAsync(teamId, member);

        Assert.Equal(CreditDeductionError.MemberLimitReached, second.Error);
        Assert.Equal(97L, (await setup.Teams(t => t.GetBalanceAsync(teamId)))!.Available);
    }

    [Fact]
    public async Task Reserve_MoreThanTheWalletHas_IsRefusedShowingTheMemberWhatItHas()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);

        var hold = await HoldAsync(teamId, owner, amount: 11);

        Assert.Equal((false, CreditDeductionError.InsufficientCredits, 10L), (hold.Success, hold.Error, hold.Available));
    }

    [Fact]
    public async Task Release_TeamHold_GivesTheLimitBack()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 10);
        var hold = await HoldAsync(teamId, owner);

        var released = await setup.Holds(h => h.ReleaseReservationAsync(hold.ReservationId!.Value));

        Assert.True(released.Success);
        Assert.Equal(0L, await setup.SpentAsync(teamId, owner, Period));
        Assert.Equal((10L, 10L), await setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task Capture_LessThanHeld_KeepsWhatWasChargedAndLogsTheMember()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 20);
        var hold = await HoldAsync(teamId, member, amount: 8);

        var captured = await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, 5));

        Assert.Equal((true, 5L, 15L), (captured.Success, captured.CreditsCharged, captured.Balance));
        Assert.Equal(5L, await setup.SpentAsync(teamId, member, Period));
        Assert.Equal((15L, 15L), await setup.WalletAsync(teamId));
        Assert.Equal([(member, 5L, false)], await setup.UsageAsync(teamId));
    }

    [Fact]
    public async Task Reserve_SameKeyByAnotherMember_IsAConflict()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 20);
        Assert.True((await HoldAsync(teamId, owner, key: "job-1")).Success);

        var replay = await HoldAsync(teamId, owner, key: "job-1");
        var other = await HoldAsync(teamId, member, key: "job-1");

        Assert.True(replay.IsReplay);
        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, other.Error);
        Assert.Equal(17L, (await setup.Teams(t => t.GetBalanceAsync(teamId)))!.Available);
    }

    [Fact]
    public async Task Reserve_SameKeyTwentyAtOnce_HoldsAndCountsOnce()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 100);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => HoldAsync(teamId, owner, key: "job-race"))));

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Single(results.Select(r => r.ReservationId).Distinct());
        Assert.Equal(3L, await setup.SpentAsync(teamId, owner, Period));
        Assert.Equal(97L, (await setup.Teams(t => t.GetBalanceAsync(teamId)))!.Available);
    }

    [Fact]
    public async Task Reserve_TwentyMembersAtOnceWithLimits_NeverHoldMoreThanThePoolOrTheirLimits()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var member = await setup.MemberAsync(teamId, owner);
            Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 6))).Success);
            members.Add(member);
        }

        await setup.FundAsync(teamId, 30);

        var results = await Task.WhenAll(members.SelectMany(m => new[] { m, m, m }).Select(m => Task.Run(async () => (m, await HoldAsync(teamId, m)))));

        Assert.Equal(10, results.Count(r => r.Item2.Success));
        Assert.Equal(0L, (await setup.Teams(t => t.GetBalanceAsync(teamId)))!.Available);
        foreach (var member in members)
        {
            Assert.InRange(await setup.SpentAsync(teamId, member, Period), 0, 6);
            Assert.Equal(results.Count(r => r.m == member && r.Item2.Success) * 3L, await setup.SpentAsync(teamId, member, Period));
        }
    }
}

public sealed class SqliteTeamHoldTests(SqliteCreditsDatabase database) : TeamHoldTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamHoldTests(PostgresCreditsDatabase database) : TeamHoldTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamHoldTests(MariaDbCreditsDatabase database) : TeamHoldTests<MariaDbCreditsDatabase>(database);
