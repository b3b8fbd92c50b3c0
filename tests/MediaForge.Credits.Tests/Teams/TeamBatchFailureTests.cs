using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Torture;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// A group-commit batch of team deductions that fails before any of its deductions is applied (the lock of its member
/// rows; PostgreSQL's batch settings) is rolled back and blames none of its callers: each runs alone and is charged.
/// One whose commit fails gives every caller the failure, none charged. The first spend is held at its wallet debit
/// until the others have queued, so the batch is theirs. The queued spends carry idempotency keys, which keeps them out
/// of the fold (a keyed deduction is replayed, not folded): each is applied on its own with the lock's answer for it.
/// Image generation costs 3 credits.
/// </summary>
public abstract class TeamBatchFailureTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private protected TeamSetup Setup { get; private set; } = null!;

    [Fact]
    public async Task BatchWhoseMemberLockFails_BlamesNone_EachRunsAloneAndIsCharged()
    {
        var (teamId, members, probe) = await StartAsync();
        var failed = 0;
        probe.BeforeCommand = command => InterceptedCommand.Text(command).Contains("credit_team_members", StringComparison.Ordinal)
            && InterceptedCommand.CarriesAmong(command, members[1]) && Interlocked.Exchange(ref failed, 1) == 0
            ? throw new InjectedFailureException("in the batch's member lock") : Task.CompletedTask;

        var results = await Setup.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]], keyed: true);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(1, failed);
        // The first spend, then each queued spend in its own transaction.
        Assert.Equal(3, probe.Commits);
        Assert.Equal((91L, 91L), await Setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task BatchWhoseCommitFails_GivesEveryCallerTheFailure_AndChargesNone()
    {
        var (teamId, members, probe) = await StartAsync();
        probe.FailCommit = 2;

        var error = await Assert.ThrowsAsync<InjectedFailureException>(() => Setup.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]], keyed: true));

        Assert.Equal("Injected failure in commit 2", error.Message);
        Assert.Equal((97L, 97L), await Setup.WalletAsync(teamId));
    }

    [Fact]
    public async Task BatchWhoseTransactionCannotBegin_GivesEveryQueuedCallerTheFailure_AndChargesThemNothing()
    {
        var (teamId, members, probe) = await StartAsync();
        // The first spend, written alone as a batch of one, begins the first transaction; the queued spends' batch the second.
        probe.FailStart = 2;
        var first = Task.Run(() => Setup.SpendAsync(teamId, members[0]));
        await probe.HeldAsync();
        var queued = await Setup.QueueSpendsAsync(teamId, [members[1], members[2]], keyed: true);
        probe.Release();

        Assert.True((await first.WaitAsync(TimeSpan.FromSeconds(30))).Success);
        foreach (var spend in queued)
        {
            var error = await Assert.ThrowsAsync<InjectedFailureException>(() => spend.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("Injected failure in transaction start 2", error.Message);
        }

        Assert.Equal((97L, 97L), await Setup.WalletAsync(teamId));
    }

    /// <summary>A team funded with 100 and three members, the probe armed.</summary>
    private protected async Task<(string TeamId, List<string> Members, TeamTransactionProbe Probe)> StartAsync()
    {
        (Setup, var teamId, var members, var probe) = await TeamSetup.ProbedAsync(database, pool: 100, memberCount: 3);
        return (teamId, members, probe);
    }
}

public sealed class SqliteTeamBatchFailureTests(SqliteCreditsDatabase database) : TeamBatchFailureTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamBatchFailureTests(PostgresCreditsDatabase database) : TeamBatchFailureTests<PostgresCreditsDatabase>(database)
{
    [Fact]
    public async Task BatchWhoseSettingsFail_BlamesNone_EachRunsAloneAndIsCharged()
    {
        var (teamId, members, probe) = await StartAsync();
        // The first spend, written alone as a batch of one, sets them first; the batch of the queued spends second.
        var settings = 0;
        probe.BeforeCommand = command => InterceptedCommand.Text(command).Contains("SET LOCAL lock_timeout", StringComparison.Ordinal)
            && Interlocked.Increment(ref settings) == 2
            ? throw new InjectedFailureException("in the batch's settings") : Task.CompletedTask;

        var results = await Setup.RunBatchAsync(teamId, probe, members[0], [members[1], members[2]], keyed: true);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal(2, settings);
        Assert.Equal(3, probe.Commits);
        Assert.Equal((91L, 91L), await Setup.WalletAsync(teamId));
    }
}

public sealed class MariaDbTeamBatchFailureTests(MariaDbCreditsDatabase database) : TeamBatchFailureTests<MariaDbCreditsDatabase>(database);
