namespace MediaForge.Credits.Sample;

/// <summary>
/// The demo team "Demo Studio" (<c>demo-studio</c>): the demo user is its owner, the demo user signed in with the name
/// "Teammate" a member. Made when either first signs in (after the sign-up webhook); later sign-ins find it
/// (<see cref="CreditTeamError.TeamExists"/>, <see cref="CreditTeamError.AlreadyMember"/>). Its wallet starts empty: the
/// owner buys packs for it on the test checkout. Spending from it comes with team spending (phase 2).
/// </summary>
internal static class DemoTeam
{
    public const string Id = "demo-studio";

    public const string Owner = "user_demo";

    public const string Teammate = "user_demo_teammate";

    public static async Task EnsureAsync(ICreditTeamService teams, string userId, CancellationToken cancellationToken)
    {
        if (userId is not (Owner or Teammate))
        {
            return;
        }

        await teams.CreateTeamAsync(Id, "Demo Studio", Owner, cancellationToken);
        await teams.AddMemberAsync(Id, Owner, Teammate, CreditTeamRole.Member, cancellationToken);
    }
}
