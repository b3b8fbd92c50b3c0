using System.Data.Common;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// What <see cref="ICreditTeamService"/> answers about a team or member that is not there (an unknown team, a removed
/// member), one rule per test, on a real database: a refusal that changes nothing, never a change to a row that is gone.
/// </summary>
public abstract class TeamRefusalTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    /// <summary>The member's row straight from the table, removed or not.</summary>
    private async Task<CreditTeamMemberRow> RowAsync(string teamId, string userId)
    {
        CreditTeamMemberRow? row = null;
        await setup.WithContextAsync(async db => row = await db.Set<CreditTeamMemberRow>().AsNoTracking().SingleAsync(m => m.TeamId == teamId && m.UserId == userId));
        return row!;
    }

    private async Task<string> RemovedMemberAsync(string teamId, string owner)
    {
        var member = await setup.MemberAsync(teamId, owner);
        Assert.True((await setup.Teams(t => t.RemoveMemberAsync(teamId, owner, member))).Success);
        return member;
    }

    [Fact]
    public async Task ChangeRole_RemovedMember_RefusedAsMemberNotFoundAndTheRowKept()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var removed = await RemovedMemberAsync(teamId, owner);

        var result = await setup.Teams(t => t.ChangeRoleAsync(teamId, owner, removed, CreditTeamRole.Admin));

        Assert.Equal(CreditTeamError.MemberNotFound, result.Error);
        Assert.Equal(CreditTeamRole.Member, (await RowAsync(teamId, removed)).Role);
    }

    [Fact]
    public async Task SetMemberLimit_RemovedMember_RefusedAsMemberNotFoundAndNoLimitSet()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var removed = await RemovedMemberAsync(teamId, owner);

        var result = await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, removed, 40));

        Assert.Equal(CreditTeamError.MemberNotFound, result.Error);
        Assert.Null((await RowAsync(teamId, removed)).SpendLimit);
    }

    [Fact]
    public async Task GetMembers_UnknownTeam_RefusedAsTeamNotFound()
    {
        var list = await setup.Teams(t => t.GetMembersAsync(TeamSetup.NewTeamId(), TeamSetup.NewUser("someone")));

        Assert.Equal((false, CreditTeamError.TeamNotFound, 0), (list.Success, list.Error, list.Members.Count));
    }

    [Fact]
    public async Task GetMembers_AsAMember_Succeeds()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var list = await setup.Teams(t => t.GetMembersAsync(teamId, owner));

        Assert.Equal((true, CreditTeamError.None), (list.Success, list.Error));
    }

    [Fact]
    public async Task GetBalance_UnknownTeam_Null() =>
        Assert.Null(await setup.Teams(t => t.GetBalanceAsync(TeamSetup.NewTeamId())));

    [Fact]
    public async Task StartPurchase_UnknownTeam_RefusedAsTeamNotFound()
    {
        var result = await setup.Teams(t => t.StartPurchaseAsync(TeamSetup.NewTeamId(), TeamSetup.NewUser("buyer"), "pro", "stripe"));

        Assert.Equal((false, CreditTeamError.TeamNotFound, (CreditPurchaseEntry?)null), (result.Success, result.Error, result.Purchase));
    }

    [Fact]
    public async Task StartPurchase_TheLockTookNoRow_RefusedAsTeamNotFoundEvenIfTheTeamIsReadAfter()
    {
        // The lock's update finding no row is what a team created just after it looks like (committed between the
        // lock and the read): the team is not locked, so it counts as not there, and nothing is bought for it.
        var noRow = new TeamLockTakesNoRow();
        var racing = new TeamSetup(database, configureContext: o => o.AddInterceptors(noRow));
        var (teamId, owner) = await setup.TeamAsync();
        noRow.Armed = true;

        var result = await racing.Teams(t => t.StartPurchaseAsync(teamId, owner, "pro", "stripe"));

        Assert.Equal((CreditTeamError.TeamNotFound, false), (result.Error, noRow.Armed));
    }
}

/// <summary>Once armed, answers the next lock of a team (the no-op update of its row) with "no row updated", without running it.</summary>
internal sealed class TeamLockTakesNoRow : DbCommandInterceptor
{
    public bool Armed { get; set; }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        var text = command.CommandText.TrimStart();
        if (Armed && text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) && text.Contains("credit_teams", StringComparison.Ordinal))
        {
            Armed = false;
            return ValueTask.FromResult(InterceptionResult<int>.SuppressWithResult(0));
        }

        return ValueTask.FromResult(result);
    }
}

public sealed class SqliteTeamRefusalTests(SqliteCreditsDatabase database) : TeamRefusalTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamRefusalTests(PostgresCreditsDatabase database) : TeamRefusalTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamRefusalTests(MariaDbCreditsDatabase database) : TeamRefusalTests<MariaDbCreditsDatabase>(database);
