using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The rows of a split team hold's capture: one usage log priced at the whole hold (both parts), and a ledger row for
/// each wallet the capture charged, none for a wallet it charged nothing. Video generation with Veo 2 costs 15: under
/// personal first, 10 of the member's own and 5 of the pool.
/// </summary>
public abstract class TeamSplitCaptureRowsTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database, configure: o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst);

    [Fact]
    public async Task Capture_SplitHoldForLess_LogsTheUseAtThePriceOfTheWholeHold()
    {
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 10);
        var hold = await setup.TeamHoldAsync(teamId, member);

        Assert.True((await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, 12))).Success);

        var usage = await UsageOfAsync(teamId);
        Assert.Equal((15L, 12L), (usage.Price, usage.CreditsUsed));
    }

    [Fact]
    public async Task Capture_SplitHoldWithinTheMembersOwnPart_WritesNoRowForThePoolAndNamesTheMembersRow()
    {
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 10);
        var hold = await setup.TeamHoldAsync(teamId, member);

        var captured = await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value, 8));

        var pool = CreditWalletAccounts.TeamAccount(teamId);
        var rows = await RowsAsync(db => db.Transactions.Where(t => (t.UserId == pool || t.UserId == member) && t.Type == CreditTransactionType.Usage)
            .Select(t => new { t.Id, t.UserId, t.Amount }));
        var row = Assert.Single(rows);
        Assert.Equal((member, -8L, captured.TransactionId), (row.UserId, row.Amount, (Guid?)row.Id));
        Assert.Equal(captured.TransactionId, (await UsageOfAsync(teamId)).TransactionId);
    }

    [Fact]
    public async Task Capture_SplitHold_TakesTheMembersPartFromTheirExpiringCredits()
    {
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 10, ownExpiresAt: DateTimeOffset.UtcNow.AddDays(30));
        var hold = await setup.TeamHoldAsync(teamId, member);

        Assert.True((await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value))).Success);

        var own = await setup.Credits(c => c.GetBalanceAsync(member));
        Assert.Equal((0L, (CreditExpiration?)null), (own.Balance, own.NextExpiration));
    }

    private async Task<UsageLog> UsageOfAsync(string teamId)
    {
        var pool = CreditWalletAccounts.TeamAccount(teamId);
        return Assert.Single(await RowsAsync(db => db.UsageLogs.Where(u => u.UserId == pool)));
    }

    private async Task<List<T>> RowsAsync<T>(Func<CreditsDbContext, IQueryable<T>> query)
        where T : class
    {
        List<T> rows = [];
        await setup.WithContextAsync(async db => rows = await query(db).AsNoTracking().ToListAsync());
        return rows;
    }
}

public sealed class SqliteTeamSplitCaptureRowsTests(SqliteCreditsDatabase database) : TeamSplitCaptureRowsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSplitCaptureRowsTests(PostgresCreditsDatabase database) : TeamSplitCaptureRowsTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSplitCaptureRowsTests(MariaDbCreditsDatabase database) : TeamSplitCaptureRowsTests<MariaDbCreditsDatabase>(database);
