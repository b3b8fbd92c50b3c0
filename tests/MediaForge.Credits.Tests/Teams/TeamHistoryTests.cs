using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary><see cref="ICreditTeamService.GetTransactionsAsync"/>: the team wallet's ledger, paged as a user's history.</summary>
public abstract class TeamHistoryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    /// <summary>A completed Pro purchase (200 credits) for the team by its owner.</summary>
    private async Task BuyAsync(string teamId, string owner)
    {
        var started = await setup.Teams(t => t.StartPurchaseAsync(teamId, owner, "pro", "stripe"));
        var session = "cs_" + Guid.NewGuid().ToString("N");
        await setup.Purchases(async p => { await p.AttachSessionAsync(started.Purchase!.Id, session); return true; });
        await setup.Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", "pi_" + Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public async Task GetTransactions_TwoTeamPurchases_TheWalletsGrantsNewestFirst()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await BuyAsync(teamId, owner);
        await BuyAsync(teamId, owner);

        var page = (await setup.Teams(t => t.GetTransactionsAsync(teamId)))!;

        Assert.Equal(2, page.TotalCount);
        Assert.Equal([(200L, 400L), (200L, 200L)], page.Items.Select(e => (e.Amount, e.BalanceAfter)));
    }

    [Fact]
    public async Task GetTransactions_OwnersOwnCredits_NotInTheTeamsHistory()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.With<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(owner, 30, CreditTransactionType.Bonus, "own"));

        var page = (await setup.Teams(t => t.GetTransactionsAsync(teamId)))!;

        Assert.Equal(0, page.TotalCount);
    }

    [Fact]
    public async Task GetTransactions_UnknownTeam_Null()
    {
        var page = await setup.Teams(t => t.GetTransactionsAsync(TeamSetup.NewTeamId()));

        Assert.Null(page);
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 501)]
    public async Task GetTransactions_PageOutOfBounds_Throws(int page, int pageSize)
    {
        var (teamId, _) = await setup.TeamAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => setup.Teams(t => t.GetTransactionsAsync(teamId, page, pageSize)));
    }

    [Fact]
    public async Task GetTransactions_TeamsOff_Throws()
    {
        var off = new TeamSetup(database, configure: o => o.Teams.Enabled = false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => off.Teams(t => t.GetTransactionsAsync(TeamSetup.NewTeamId())));
    }
}

public sealed class SqliteTeamHistoryTests(SqliteCreditsDatabase database) : TeamHistoryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamHistoryTests(PostgresCreditsDatabase database) : TeamHistoryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamHistoryTests(MariaDbCreditsDatabase database) : TeamHistoryTests<MariaDbCreditsDatabase>(database);
