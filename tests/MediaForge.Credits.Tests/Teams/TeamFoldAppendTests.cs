using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Analytics;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The appends of a folded batch (decision 0048): every folded spend's ledger row and usage log (in one command on
/// PostgreSQL and MariaDB, one by one on SQLite), with the running totals one-by-one appends give, also when the wallet
/// already has a use timed after them. The first spend is held at its wallet debit until the others have queued, so the batch is known; the
/// clock stands still at a time of the test's own. Image generation costs 3 credits.
/// </summary>
public abstract class TeamFoldAppendTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private TeamSetup? setup;

    [Fact]
    public async Task FoldedSpends_BeforeALaterUseOfTheWallet_CarryTheRunningTotalsOfOneByOne()
    {
        var (teamId, members, probe) = await StartAsync(new DateTimeOffset(2031, 3, 4, 10, 0, 0, TimeSpan.Zero), laterUse: true);

        var results = await setup!.RunBatchAsync(teamId, probe, members[0], [members[1], members[2], members[3], members[1]]);

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Equal((2, 2, 2), (probe.Starts, probe.Commits, probe.WalletDebits));
        await UsageReportChecks.AssertRunningTotalsAsync(setup!.Services, [CreditWalletAccounts.TeamAccount(teamId)]);
    }

    /// <summary>
    /// A funded team of four members on a clock standing at <paramref name="at"/>; with <paramref name="laterUse"/>, one
    /// use of the wallet an hour later first. The probe is armed.
    /// </summary>
    private async Task<(string TeamId, List<string> Members, TeamTransactionProbe Probe)> StartAsync(DateTimeOffset at, bool laterUse)
    {
        var probe = new TeamTransactionProbe();
        var clock = new SettableClock(at);
        setup = new TeamSetup(database, time: clock, configureContext: o => o.AddInterceptors(probe, probe.Commands));
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            members.Add(await setup.MemberAsync(teamId, owner));
        }

        await setup.FundAsync(teamId, 300);
        if (laterUse)
        {
            clock.SetUtcNow(at.AddHours(1));
            Assert.True((await setup.SpendAsync(teamId, owner)).Success);
            clock.SetUtcNow(at);
        }

        probe.Arm(CreditWalletAccounts.TeamAccount(teamId));
        return (teamId, members, probe);
    }
}

public sealed class SqliteTeamFoldAppendTests(SqliteCreditsDatabase database) : TeamFoldAppendTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamFoldAppendTests(PostgresCreditsDatabase database) : TeamFoldAppendTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamFoldAppendTests(MariaDbCreditsDatabase database) : TeamFoldAppendTests<MariaDbCreditsDatabase>(database);
