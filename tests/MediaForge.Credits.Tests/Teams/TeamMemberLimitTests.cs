using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>Who may set a member's own limit and the team's default one, and what each then is, on a real database.</summary>
public abstract class TeamMemberLimitTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private Task<CreditTeamResult> Teams(Func<ICreditTeamService, Task<CreditTeamResult>> action) => setup.Teams(action);

    [Fact]
    public async Task SetMemberLimit_ByAnAdminOnAMember_SetAndEffective()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        var member = await setup.MemberAsync(teamId, owner);

        var result = await Teams(t => t.SetMemberLimitAsync(teamId, admin, member, 250));

        Assert.Equal((CreditTeamError.None, (long?)250, (long?)250), (result.Error, result.Member!.Limit, result.Member.EffectiveLimit));
    }

    [Fact]
    public async Task SetMemberLimit_ByAnAdminOnAnotherAdmin_NotAllowed()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);
        var other = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);

        var result = await Teams(t => t.SetMemberLimitAsync(teamId, admin, other, 5));

        Assert.Equal(CreditTeamError.NotAllowed, result.Error);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(CreditLimits.MaxAmount + 1)]
    public async Task SetMemberLimit_OutOfBounds_Throws(long limit)
    {
        var (teamId, owner) = await setup.TeamAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Teams(t => t.SetMemberLimitAsync(teamId, owner, owner, limit)));
    }

    [Fact]
    public async Task SetDefaultMemberLimit_ByTheOwner_AppliesToMembersWithoutTheirOwn()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        var limited = await setup.MemberAsync(teamId, owner);
        await Teams(t => t.SetMemberLimitAsync(teamId, owner, limited, 7));

        var result = await Teams(t => t.SetDefaultMemberLimitAsync(teamId, owner, 100));

        Assert.Equal((CreditTeamError.None, (long?)100), (result.Error, result.Team!.DefaultMemberLimit));
        var members = (await setup.Teams(t => t.GetMembersAsync(teamId, owner))).Members.ToDictionary(m => m.UserId);
        Assert.Equal(((long?)null, (long?)100), (members[member].Limit, members[member].EffectiveLimit));
        Assert.Equal((long?)7, members[limited].EffectiveLimit);
    }

    [Fact]
    public async Task SetDefaultMemberLimit_ByAnAdmin_NotAllowed()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var admin = await setup.MemberAsync(teamId, owner, CreditTeamRole.Admin);

        var result = await Teams(t => t.SetDefaultMemberLimitAsync(teamId, admin, 100));

        Assert.Equal((CreditTeamError.NotAllowed, (long?)null), (result.Error, result.Team!.DefaultMemberLimit));
    }
}

public sealed class SqliteTeamMemberLimitTests(SqliteCreditsDatabase database) : TeamMemberLimitTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamMemberLimitTests(PostgresCreditsDatabase database) : TeamMemberLimitTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamMemberLimitTests(MariaDbCreditsDatabase database) : TeamMemberLimitTests<MariaDbCreditsDatabase>(database);
