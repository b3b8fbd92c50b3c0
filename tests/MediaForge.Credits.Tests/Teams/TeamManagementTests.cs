using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>The management rules of <see cref="ICreditTeamService"/>, one per test, on a real database.</summary>
public abstract class TeamManagementTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private Task<CreditTeamResult> Teams(Func<ICreditTeamService, Task<CreditTeamResult>> action) => setup.Teams(action);

    [Fact]
    public async Task AddMember_ByOwner_AddsTheUserWithTheRole()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var user = TeamSetup.NewUser("new");

        var result = await Teams(t => t.AddMemberAsync(teamId, owner, user, CreditTeamRole.Admin));

        Assert.Equal((CreditTeamError.None, user, CreditTeamRole.Admin), (result.Error, result.Member!.UserId, result.Member.Role));
        Assert.Contains((user, CreditTeamRole.Admin), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task AddMember_ByAdminAsMember_Added()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);

        var result = await Teams(t => t.AddMemberAsync(teamId, admin, TeamSetup.NewUser("new")));

        Assert.Equal(CreditTeamError.None, result.Error);
    }

    [Theory]
    [InlineData(CreditTeamRole.Admin, CreditTeamRole.Admin)]
    [InlineData(CreditTeamRole.Member, CreditTeamRole.Member)]
    [InlineData(CreditTeamRole.Owner, CreditTeamRole.Owner)]
    public async Task AddMember_RoleBeyondTheActorsRights_NotAllowedAndNotAdded(CreditTeamRole actorRole, CreditTeamRole role)
    {
        var (teamId, owner) = await setup.TeamAsync();
        var actor = actorRole == CreditTeamRole.Owner ? owner : await setup.MemberAsync(teamId, owner, actorRole);
        var user = TeamSetup.NewUser("new");

        var result = await Teams(t => t.AddMemberAsync(teamId, actor, user, role));

        Assert.Equal(CreditTeamError.NotAllowed, result.Error);
        Assert.DoesNotContain(await setup.RolesAsync(teamId), m => m.UserId == user);
    }

    [Fact]
    public async Task AddMember_AlreadyAMember_RefusedAndTheRoleKept()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Teams(t => t.AddMemberAsync(teamId, owner, member, CreditTeamRole.Admin));

        Assert.Equal(CreditTeamError.AlreadyMember, result.Error);
        Assert.Contains((member, CreditTeamRole.Member), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task AddMember_ByANonMember_RefusedAsNotMember()
    {
        var (teamId, _) = await setup.TeamAsync();

        var result = await Teams(t => t.AddMemberAsync(teamId, TeamSetup.NewUser("stranger"), TeamSetup.NewUser("friend")));

        Assert.Equal(CreditTeamError.NotMember, result.Error);
    }

    [Fact]
    public async Task AddMember_UnknownTeam_RefusedAsTeamNotFound()
    {
        var result = await Teams(t => t.AddMemberAsync(TeamSetup.NewTeamId(), TeamSetup.NewUser("a"), TeamSetup.NewUser("b")));

        Assert.Equal((CreditTeamError.TeamNotFound, (CreditTeam?)null), (result.Error, result.Team));
    }

    [Fact]
    public async Task AddMember_RemovedMemberAddedAgain_IsAMemberWithTheNewRoleAndNoOwnLimit()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 40));
        await Teams(t => t.RemoveMemberAsync(teamId, owner, member));

        var result = await Teams(t => t.AddMemberAsync(teamId, owner, member, CreditTeamRole.Admin));

        Assert.Equal((CreditTeamError.None, CreditTeamRole.Admin, (long?)null), (result.Error, result.Member!.Role, result.Member.Limit));
    }

    [Fact]
    public async Task RemoveMember_MemberLeaves_NoLongerAMember()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Teams(t => t.RemoveMemberAsync(teamId, member, member));

        Assert.Equal((CreditTeamError.None, (CreditTeamMember?)null), (result.Error, result.Member));
        Assert.Equal([(owner, CreditTeamRole.Owner)], await setup.RolesAsync(teamId));
        Assert.Empty(await setup.Teams(t => t.GetTeamsAsync(member)));
    }

    [Fact]
    public async Task RemoveMember_TheLastOwnerLeaving_RefusedAsLastOwner()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);

        var result = await Teams(t => t.RemoveMemberAsync(teamId, owner, owner));

        Assert.Equal(CreditTeamError.LastOwner, result.Error);
        Assert.Contains((owner, CreditTeamRole.Owner), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task RemoveMember_AdminRemovesAMember_Removed()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Teams(t => t.RemoveMemberAsync(teamId, admin, member));

        Assert.Equal(CreditTeamError.None, result.Error);
        Assert.DoesNotContain(await setup.RolesAsync(teamId), m => m.UserId == member);
    }

    [Theory]
    [InlineData(CreditTeamRole.Admin, CreditTeamRole.Admin)]
    [InlineData(CreditTeamRole.Admin, CreditTeamRole.Owner)]
    [InlineData(CreditTeamRole.Member, CreditTeamRole.Member)]
    public async Task RemoveMember_TargetBeyondTheActorsRights_NotAllowedAndKept(CreditTeamRole actorRole, CreditTeamRole targetRole)
    {
        var (teamId, owner) = await setup.TeamAsync();
        var actor = await setup.MemberAsync(teamId, owner, actorRole);
        var target = targetRole == CreditTeamRole.Owner ? owner : await setup.MemberAsync(teamId, owner, targetRole);

        var result = await Teams(t => t.RemoveMemberAsync(teamId, actor, target));

        Assert.Equal(CreditTeamError.NotAllowed, result.Error);
        Assert.Contains((target, targetRole), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task RemoveMember_NotAMember_RefusedAsMemberNotFound()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var result = await Teams(t => t.RemoveMemberAsync(teamId, owner, TeamSetup.NewUser("stranger")));

        Assert.Equal(CreditTeamError.MemberNotFound, result.Error);
    }

    [Fact]
    public async Task ChangeRole_ByAnAdmin_NotAllowed()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Teams(t => t.ChangeRoleAsync(teamId, admin, member, CreditTeamRole.Admin));

        Assert.Equal(CreditTeamError.NotAllowed, result.Error);
        Assert.Contains((member, CreditTeamRole.Member), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task ChangeRole_TheLastOwnerStepsDown_RefusedAsLastOwner()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var result = await Teams(t => t.ChangeRoleAsync(teamId, owner, owner, CreditTeamRole.Admin));

        Assert.Equal(CreditTeamError.LastOwner, result.Error);
        Assert.Equal([(owner, CreditTeamRole.Owner)], await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task ChangeRole_TheOnlyOwnerMakesAMemberAnAdmin_TheMemberIsAnAdmin()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Teams(t => t.ChangeRoleAsync(teamId, owner, member, CreditTeamRole.Admin));

        Assert.Equal(CreditTeamError.None, result.Error);
        Assert.Contains((member, CreditTeamRole.Admin), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task ChangeRole_OwnerMakesACoOwner_ThenMayStepDown()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);

        Assert.Equal(CreditTeamError.None, (await Teams(t => t.ChangeRoleAsync(teamId, owner, admin, CreditTeamRole.Owner))).Error);
        var result = await Teams(t => t.ChangeRoleAsync(teamId, owner, owner, CreditTeamRole.Member));

        Assert.Equal(CreditTeamError.None, result.Error);
        Assert.Equal(new[] { (owner, CreditTeamRole.Member), (admin, CreditTeamRole.Owner) }.OrderBy(m => m.Item1, StringComparer.Ordinal), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task TransferOwnership_ToAMember_TheMemberOwnsAndTheFormerOwnerIsAnAdmin()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Teams(t => t.TransferOwnershipAsync(teamId, owner, member));

        Assert.Equal((CreditTeamError.None, CreditTeamRole.Owner), (result.Error, result.Member!.Role));
        var roles = (await setup.RolesAsync(teamId)).ToDictionary(m => m.UserId, m => m.Role);
        Assert.Equal((CreditTeamRole.Owner, CreditTeamRole.Admin), (roles[member], roles[owner]));
    }

    [Fact]
    public async Task TransferOwnership_ByAnAdmin_NotAllowed()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);

        var result = await Teams(t => t.TransferOwnershipAsync(teamId, admin, admin));

        Assert.Equal(CreditTeamError.NotAllowed, result.Error);
        Assert.Contains((owner, CreditTeamRole.Owner), await setup.RolesAsync(teamId));
    }

    [Fact]
    public async Task TransferOwnership_ToANonMember_RefusedAsMemberNotFound()
    {
        var (teamId, owner) = await setup.TeamAsync();

        var result = await Teams(t => t.TransferOwnershipAsync(teamId, owner, TeamSetup.NewUser("stranger")));

        Assert.Equal(CreditTeamError.MemberNotFound, result.Error);
    }

    [Fact]
    public async Task AddMember_FrozenTeam_RefusedAsTeamFrozen()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.WithContextAsync(db => db.Set<CreditTeamRow>().Where(t => t.Id == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, CreditTeamStatus.Frozen)));

        var result = await Teams(t => t.AddMemberAsync(teamId, owner, TeamSetup.NewUser("late")));

        Assert.Equal((CreditTeamError.TeamFrozen, CreditTeamStatus.Frozen), (result.Error, result.Team!.Status));
    }
}

public sealed class SqliteTeamManagementTests(SqliteCreditsDatabase database) : TeamManagementTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamManagementTests(PostgresCreditsDatabase database) : TeamManagementTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamManagementTests(MariaDbCreditsDatabase database) : TeamManagementTests<MariaDbCreditsDatabase>(database);
