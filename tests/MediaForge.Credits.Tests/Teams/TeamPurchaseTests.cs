using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Buying credits for a team: only an owner or admin of an active team starts it; the fulfilment credits the team's
/// wallet account exactly once, and a refund claws back from it, with every balance equal to its ledger.
/// </summary>
public abstract class TeamPurchaseTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly TeamSetup setup = new(database);

    private static string Wallet(string teamId) => "mf:team:" + teamId;

    /// <summary>A completed Pro purchase (200 credits, 2999 cents) for the team, started by <paramref name="buyer"/>; returns its payment id.</summary>
    private async Task<string> BoughtAsync(string teamId, string buyer)
    {
        var started = await setup.Teams(t => t.StartPurchaseAsync(teamId, buyer, "pro", "stripe"));
        var (session, payment) = ("cs_" + Guid.NewGuid().ToString("N"), "pi_" + Guid.NewGuid().ToString("N"));
        await setup.Purchases(async p => { await p.AttachSessionAsync(started.Purchase!.Id, session); return true; });
        var completed = await setup.Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));
        Assert.Equal(PurchaseFulfilmentOutcome.Completed, completed.Outcome);
        return payment;
    }

    [Theory]
    [InlineData(CreditTeamRole.Owner)]
    [InlineData(CreditTeamRole.Admin)]
    public async Task StartPurchase_ByAnOwnerOrAdmin_PendingForTheWalletNotAsAGiftWithTheBuyerRecorded(CreditTeamRole role)
    {
        var (teamId, owner) = await setup.TeamAsync();
        var buyer = role == CreditTeamRole.Owner ? owner : await setup.MemberAsync(teamId, owner, role);

        var result = await setup.Teams(t => t.StartPurchaseAsync(teamId, buyer, "pro", "stripe"));

        Assert.Equal((CreditTeamError.None, Wallet(teamId), buyer, PurchaseStatus.Pending, false),
            (result.Error, result.Purchase!.UserId, result.Purchase.PurchasedBy, result.Purchase.Status, result.Purchase.IsGift));
    }

    [Fact]
    public async Task StartPurchase_ByAMember_NotAllowedAndNothingRecorded()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);

        var result = await setup.Teams(t => t.StartPurchaseAsync(teamId, member, "pro", "stripe"));

        Assert.Equal((CreditTeamError.NotAllowed, (CreditPurchaseEntry?)null), (result.Error, result.Purchase));
        Assert.Empty((await setup.Database.WithCreditsAsync(c => c.GetPurchasesAsync(member))).Items);
    }

    [Fact]
    public async Task StartPurchase_ByANonMember_RefusedAsNotMember()
    {
        var (teamId, _) = await setup.TeamAsync();

        var result = await setup.Teams(t => t.StartPurchaseAsync(teamId, TeamSetup.NewUser("stranger"), "pro", "stripe"));

        Assert.Equal(CreditTeamError.NotMember, result.Error);
    }

    [Fact]
    public async Task StartPurchase_FrozenTeam_RefusedAsTeamFrozen()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await setup.With<string, MediaForge.Credits.Teams.CreditTeamMirror>(m => m.FreezeAsync(teamId, CancellationToken.None));

        var result = await setup.Teams(t => t.StartPurchaseAsync(teamId, owner, "pro", "stripe"));

        Assert.Equal(CreditTeamError.TeamFrozen, result.Error);
    }

    [Fact]
    public async Task StartPurchase_UnknownPackage_Throws()
    {
        var (teamId, owner) = await setup.TeamAsync();

        await Assert.ThrowsAsync<UnknownCreditPackageException>(() => setup.Teams(t => t.StartPurchaseAsync(teamId, owner, "nope", "stripe")));
    }

    [Fact]
    public async Task CompletePurchase_TeamPurchase_CreditsTheTeamWalletNotTheBuyer()
    {
        var (teamId, owner) = await setup.TeamAsync();

        await BoughtAsync(teamId, owner);

        Assert.Equal(200, (await setup.Teams(t => t.GetBalanceAsync(teamId)))!.Balance);
        Assert.Equal((200L, 200L, 1), await setup.Database.ReadLedgerAsync(Wallet(teamId), setup.Services));
        Assert.Equal((0L, 0L, 0), await setup.Database.ReadLedgerAsync(owner, setup.Services));
    }

    [Fact]
    public async Task CompletePurchase_DeliveredTwentyTimesAtOnce_CreditsTheWalletOnce()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var started = await setup.Teams(t => t.StartPurchaseAsync(teamId, owner, "pro", "stripe"));
        var session = "cs_" + Guid.NewGuid().ToString("N");
        await setup.Purchases(async p => { await p.AttachSessionAsync(started.Purchase!.Id, session); return true; });

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => setup.Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro")))));

        Assert.Equal(1, results.Count(r => r.Outcome == PurchaseFulfilmentOutcome.Completed));
        Assert.Equal((200L, 200L, 1), await setup.Database.ReadLedgerAsync(Wallet(teamId), setup.Services));
    }

    [Fact]
    public async Task RecordRefund_OfATeamPurchase_ClawsBackFromTheTeamWallet()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var payment = await BoughtAsync(teamId, owner);

        var refund = await setup.Purchases(p => p.RecordRefundAsync(payment, 2999));

        Assert.Equal(200, refund.CreditsRemoved);
        Assert.Equal((0L, 0L, 2), await setup.Database.ReadLedgerAsync(Wallet(teamId), setup.Services));
    }

    [Fact]
    public async Task RecordRefund_DeliveredTenTimesAtOnce_ClawsBackOnce()
    {
        var (teamId, owner) = await setup.TeamAsync();
        var payment = await BoughtAsync(teamId, owner);
        await BoughtAsync(teamId, owner);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => setup.Purchases(p => p.RecordRefundAsync(payment, 2999)))));

        Assert.Equal((200L, 200L, 3), await setup.Database.ReadLedgerAsync(Wallet(teamId), setup.Services));
    }

    [Fact]
    public async Task TeamWallet_NamedAsAUserId_IsRefusedByEveryUserOperation()
    {
        var (teamId, owner) = await setup.TeamAsync();
        await BoughtAsync(teamId, owner);

        await Assert.ThrowsAsync<ArgumentException>(() => setup.Database.WithCreditsAsync(c => c.DeductCreditsAsync(Wallet(teamId), "image-generation", "default"), setup.Services));
        await Assert.ThrowsAsync<ArgumentException>(() => setup.Database.WithCreditsAsync(c => c.TransferCreditsAsync(Wallet(teamId), owner, 10, "drain"), setup.Services));
        await Assert.ThrowsAsync<ArgumentException>(() => setup.Database.WithCreditsAsync(c => c.GetBalanceAsync(Wallet(teamId)), setup.Services));
        Assert.Equal((200L, 200L, 1), await setup.Database.ReadLedgerAsync(Wallet(teamId), setup.Services));
    }
}

public sealed class SqliteTeamPurchaseTests(SqliteCreditsDatabase database) : TeamPurchaseTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTeamPurchaseTests(PostgresCreditsDatabase database) : TeamPurchaseTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamPurchaseTests(MariaDbCreditsDatabase database) : TeamPurchaseTests<MariaDbCreditsDatabase>(database);
