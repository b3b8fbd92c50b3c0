using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// A split team spend (<see cref="CreditTeamFundingPolicy.PersonalFirst"/>) reads the member's own credits to choose its
/// parts only after locking both balance rows: the member's own spend that arrives meanwhile waits for it, so the part
/// read is the part debited. The team spend is held at its debit of the member's row while the own spend is started.
/// Image generation costs 3 credits.
/// </summary>
public abstract class TeamSplitLockTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>How long the own spend is given to get past the held team spend (it must not).</summary>
    private static readonly TimeSpan Overtake = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task OwnSpendArrivingDuringASplitTeamSpend_WaitsForIt_AndFindsWhatItLeft()
    {
        var probe = new TeamTransactionProbe();
        var setup = new TeamSetup(database, configure: o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst,
            configureContext: o => o.AddInterceptors(probe, probe.Commands));
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 5);
        probe.Arm(member);

        var team = Task.Run(() => setup.SpendAsync(teamId, member));
        await probe.HeldAsync();
        var own = Task.Run(() => setup.Credits(c => c.DeductCreditsAsync(member, "image-generation", "default")));
        await Task.WhenAny(own, Task.Delay(Overtake));
        var overtook = own.IsCompleted;
        probe.Release();
        var (teamSpend, ownSpend) = (await team, await own);

        Assert.False(overtook);
        Assert.Equal((true, CreditDeductionError.InsufficientCredits), (teamSpend.Success, ownSpend.Error));
        Assert.Equal((2L, 100L), ((await setup.OwnAsync(member)).Balance, (await setup.WalletAsync(teamId)).Balance));
    }
}

public sealed class SqliteTeamSplitLockTests(SqliteCreditsDatabase database) : TeamSplitLockTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSplitLockTests(PostgresCreditsDatabase database) : TeamSplitLockTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSplitLockTests(MariaDbCreditsDatabase database) : TeamSplitLockTests<MariaDbCreditsDatabase>(database);
