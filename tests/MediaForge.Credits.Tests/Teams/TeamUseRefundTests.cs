using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// <c>RefundUsageAsync</c> of a use of a team's wallet: each wallet gets its own part back (the pool its part, the member
/// their own part of a split use or of a captured split hold, whichever part the refund names), and the pool's part
/// leaves the member's limit count, once, however often or concurrently the refund is asked for; the wallet's other uses
/// are left alone. Video generation with Veo 2 costs 15 credits.
/// </summary>
public abstract class TeamUseRefundTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static DateTime Period => CreditTeamPeriods.StartOf(TimeProvider.System.GetUtcNow(), null);

    private TeamSetup Setup(CreditTeamFundingPolicy policy) => new(database, configure: o => o.Teams.FundingPolicy = policy);

    /// <summary>A split use: the owner pays 10 of their own, the pool 5 (counted against the owner's limit); then pool 95, owner 0.</summary>
    private static async Task<(string TeamId, string Owner, CreditDeductionResult Use)> SplitUseAsync(TeamSetup setup)
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.GrantAsync(owner, 10);
        await setup.FundAsync(teamId, 100);
        var use = await setup.SpendAsync(teamId, owner, "video-generation", "veo2");
        Assert.True(use.Success);
        Assert.Equal(5L, await setup.SpentAsync(teamId, owner, Period));
        return (teamId, owner, use);
    }

    [Fact]
    public async Task Refund_SplitUse_GivesEachWalletItsPartAndTheLimitCountBack()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner, use) = await SplitUseAsync(setup);

        var refund = await setup.Credits(c => c.RefundUsageAsync(use.TransactionId!.Value, "render failed"));

        Assert.Equal((false, 100L), (refund.IsReplay, refund.Balance));
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
        Assert.Equal((10L, 10L), await setup.OwnAsync(owner));
        Assert.Equal(0L, await setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Refund_SplitUseTwice_RefundsAndGivesBackOnce()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner, use) = await SplitUseAsync(setup);
        Assert.True((await setup.SpendAsync(teamId, owner)).Success);

        await setup.Credits(c => c.RefundUsageAsync(use.TransactionId!.Value, "render failed"));
        var again = await setup.Credits(c => c.RefundUsageAsync(use.TransactionId!.Value, "render failed"));

        Assert.True(again.IsReplay);
        Assert.Equal((97L, 97L), await setup.WalletAsync(teamId));
        Assert.Equal((10L, 10L), await setup.OwnAsync(owner));
        Assert.Equal(3L, await setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Refund_SplitUseTenAtOnce_RefundsEachPartAndGivesBackOnce()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, owner, use) = await SplitUseAsync(setup);
        Assert.True((await setup.SpendAsync(teamId, owner)).Success);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => setup.Credits(c => c.RefundUsageAsync(use.TransactionId!.Value, "render failed")))));

        Assert.Equal((97L, 97L), await setup.WalletAsync(teamId));
        Assert.Equal((10L, 10L), await setup.OwnAsync(owner));
        Assert.Equal(3L, await setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Refund_TeamOnlyUse_GivesThePoolAndTheLimitCountBack()
    {
        var setup = Setup(CreditTeamFundingPolicy.TeamOnly);
        var (teamId, owner) = await setup.TeamAsync();
        await setup.FundAsync(teamId, 100);
        var use = await setup.SpendAsync(teamId, owner, "video-generation", "veo2");

        await setup.Credits(c => c.RefundUsageAsync(use.TransactionId!.Value, "render failed"));

        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
        Assert.Equal(0L, await setup.SpentAsync(teamId, owner, Period));
    }

    [Fact]
    public async Task Refund_CapturedSplitHoldAskedByTheMembersOwnPart_RefundsBothPartsAndTheLimitCount()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member, _) = await CapturedSplitHoldAsync(setup);
        Guid ownPart = default;
        await setup.WithContextAsync(async db => ownPart = await db.Transactions.AsNoTracking()
            .Where(t => t.UserId == member && t.Type == CreditTransactionType.Usage).Select(t => t.Id).SingleAsync());

        var refund = await setup.Credits(c => c.RefundUsageAsync(ownPart, "job failed"));

        Assert.Equal((false, 10L), (refund.IsReplay, refund.Balance));
        Assert.Equal((100L, 100L), await setup.WalletAsync(teamId));
        Assert.Equal((10L, 10L), await setup.OwnAsync(member));
        Assert.Equal(0L, await setup.SpentAsync(teamId, member, Period));
    }

    [Fact]
    public async Task Refund_CapturedSplitHold_LeavesTheWalletsLaterUseAlone()
    {
        var setup = Setup(CreditTeamFundingPolicy.PersonalFirst);
        var (teamId, member, walletCharge) = await CapturedSplitHoldAsync(setup);
        Assert.True((await setup.SpendAsync(teamId, member)).Success); // the pool pays 3: 95 → 92, counted 5 → 8

        await setup.Credits(c => c.RefundUsageAsync(walletCharge, "job failed"));

        Assert.Equal((97L, 97L), await setup.WalletAsync(teamId));
        Assert.Equal((10L, 10L), await setup.OwnAsync(member));
        Assert.Equal(3L, await setup.SpentAsync(teamId, member, Period));
    }

    /// <summary>A split hold of a Veo 2 video captured in full: the member pays their own 10, the pool 5 (its charge's id returned).</summary>
    private static async Task<(string TeamId, string Member, Guid WalletCharge)> CapturedSplitHoldAsync(TeamSetup setup)
    {
        var (teamId, member) = await setup.SplitTeamAsync(pool: 100, own: 10);
        var hold = await setup.TeamHoldAsync(teamId, member);
        var captured = await setup.Holds(h => h.CaptureReservationAsync(hold.ReservationId!.Value));
        Assert.Equal((true, 15L, 95L), (captured.Success, captured.CreditsCharged, captured.Balance));
        return (teamId, member, captured.TransactionId!.Value);
    }
}

public sealed class SqliteTeamUseRefundTests(SqliteCreditsDatabase database) : TeamUseRefundTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamUseRefundTests(PostgresCreditsDatabase database) : TeamUseRefundTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamUseRefundTests(MariaDbCreditsDatabase database) : TeamUseRefundTests<MariaDbCreditsDatabase>(database);
