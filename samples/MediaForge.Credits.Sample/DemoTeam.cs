namespace MediaForge.Credits.Sample;

/// <summary>
/// The demo team "Demo Studio" (<c>demo-studio</c>): the demo user is its owner, the demo user signed in with the name
/// "Teammate" a member with a limit of <see cref="TeammateLimit"/> credits a month. Made when either first signs in (after
/// the sign-up webhook); later sign-ins find it (<see cref="CreditTeamError.TeamExists"/>,
/// <see cref="CreditTeamError.AlreadyMember"/>). Its wallet starts empty: the owner buys packs for it on the test
/// checkout; both then pick it as the wallet of the AI features (the teammate until the limit).
/// </summary>
internal static class DemoTeam
{
    public const string Id = "demo-studio";

    public const string Owner = "user_demo";

    public const string Teammate = "user_demo_teammate";

    /// <summary>The teammate's spending limit per month: one Veo 2 video (15), not two.</summary>
    public const long TeammateLimit = 20;

    public static async Task EnsureAsync(ICreditTeamService teams, string userId, CancellationToken cancellationToken)
    {
        if (userId is not (Owner or Teammate))
        {
            return;
        }

        await teams.CreateTeamAsync(Id, "Demo Studio", Owner, cancellationToken);
        if ((await teams.AddMemberAsync(Id, Owner, Teammate, CreditTeamRole.Member, cancellationToken)).Success)
        {
            await teams.SetMemberLimitAsync(Id, Owner, Teammate, TeammateLimit, cancellationToken);
        }
    }
}
