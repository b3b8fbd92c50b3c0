using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Teams;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// Several app instances on one database: 3 OS processes of 8 concurrent workers each (<c>MediaForge.Credits.TortureWorker</c>)
/// deduct from one balance, released together by a start barrier; and the team-pool cell: the same processes, as 12
/// members of one team with limits, spend from the team's wallet.
/// </summary>
public abstract class MultiProcessTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Uses = 600;
    private const long Price = 3; // image-generation/default

    [Fact]
    public async Task DeductCredits_ThreeProcessesOfEightWorkersAgainstBalanceForSixHundredUses_ExactlySixHundredSucceed()
    {
        var user = "mp_" + Guid.NewGuid().ToString("N");
        await using (var scope = database.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ICreditService>()
                .AddCreditsAsync(user, Uses * Price, CreditTransactionType.Purchase, "torture grant");
        }

        var workers = Enumerable.Range(0, 3)
            .Select(_ => TortureWorker.Start(database, database.ConnectionString, "--mode", "deduct", "--user", user, "--workers", "8", "--wait-for-go"))
            .ToList();
        try
        {
            await TortureWorker.GoAsync(workers);
            var counts = await Task.WhenAll(workers.Select(w => w.CompleteAsync()));

            Assert.Equal(Uses, counts.Sum(c => c.Succeeded));
            Assert.Equal(0, counts.Sum(c => c.Errors));
            var (balance, sum, rows) = await database.ReadLedgerAsync(user);
            Assert.Equal((0L, 0L, Uses + 1), (balance, sum, rows));
            Assert.Equal(Uses, await database.CountUsageAsync(user));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task DeductCredits_ThreeProcessesOfEightWorkersAsTwelveMembersFromATeamPool_PoolEndsAtZeroAndNoMemberOverLimit()
    {
        // 200 uses in the pool; 12 members with limits of 20 uses each (240): the pool runs out first, some limits are hit.
        var setup = new TeamSetup(database);
        var (teamId, owner) = await setup.TeamAsync();
        var prefix = "mp_member_" + Guid.NewGuid().ToString("N")[..8] + "_";
        var members = Enumerable.Range(0, 12).Select(i => prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var member in members)
        {
            Assert.Equal(CreditTeamError.None, (await setup.Teams(t => t.AddMemberAsync(teamId, owner, member))).Error);
            Assert.True((await setup.Teams(t => t.SetMemberLimitAsync(teamId, owner, member, 20 * Price))).Success);
        }

        await setup.FundAsync(teamId, 200 * Price);

        var workers = Enumerable.Range(0, 3)
            .Select(_ => TortureWorker.Start(database, database.ConnectionString, "--mode", "team-deduct", "--team", teamId, "--user", prefix,
                "--users", "12", "--workers", "8", "--wait-for-go"))
            .ToList();
        try
        {
            await TortureWorker.GoAsync(workers);
            var counts = await Task.WhenAll(workers.Select(w => w.CompleteAsync()));

            Assert.Equal(200, counts.Sum(c => c.Succeeded));
            Assert.Equal(0, counts.Sum(c => c.Errors));
            Assert.Equal((0L, 0L), await setup.WalletAsync(teamId));
            var usage = await setup.UsageAsync(teamId);
            Assert.Equal(200, usage.Count);
            var period = CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);
            foreach (var member in members)
            {
                var spent = await setup.SpentAsync(teamId, member, period);
                Assert.InRange(spent, 0, 20 * Price);
                Assert.Equal(usage.Count(u => u.Member == member) * Price, spent);
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }
}

public sealed class SqliteMultiProcessTests(SqliteCreditsDatabase database) : MultiProcessTests<SqliteCreditsDatabase>(database);

public sealed class PostgresMultiProcessTests(PostgresCreditsDatabase database) : MultiProcessTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbMultiProcessTests(MariaDbCreditsDatabase database) : MultiProcessTests<MariaDbCreditsDatabase>(database);
