using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// The capture of a split team hold (<see cref="CreditTeamFundingPolicy.PersonalFirst"/>) whose own part a refund clawed
/// back meanwhile: under the default <see cref="CreditClawbackPolicy.ClampAtZero"/> the member's share is charged from
/// what is left (nothing), never into a debt. The member bought the Pro pack (200 credits, 2999 cents).
/// </summary>
public abstract class TeamSplitHoldClawbackTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Capture_OwnPartClawedBackByARefund_ChargesOnlyThePoolsShare()
    {
        var setup = new TeamSetup(database, clock, o => o.Teams.FundingPolicy = CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 100);
        var (session, payment) = ("cs_test_" + Guid.NewGuid().ToString("N"), "pi_test_" + Guid.NewGuid().ToString("N"));
        var purchase = await setup.Purchases(p => p.StartPurchaseAsync(member, "pro", "stripe"));
        await setup.Purchases(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        await setup.Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));
        var hold = await setup.TeamHoldAsync(teamId, member, amount: 205);
        Assert.Equal((200L, 200L, 100L, 5L), await setup.RowsAsync(teamId, member));
        await setup.Purchases(p => p.RecordRefundAsync(payment, 2999));

        var capture = await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, 5L), (capture.Success, capture.CreditsCharged));
        Assert.Equal((0L, 0L), await setup.OwnAsync(member));
        Assert.Equal((95L, 95L), await setup.WalletAsync(teamId));
    }
}

public sealed class SqliteTeamSplitHoldClawbackTests(SqliteCreditsDatabase database) : TeamSplitHoldClawbackTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamSplitHoldClawbackTests(PostgresCreditsDatabase database) : TeamSplitHoldClawbackTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamSplitHoldClawbackTests(MariaDbCreditsDatabase database) : TeamSplitHoldClawbackTests<MariaDbCreditsDatabase>(database);
