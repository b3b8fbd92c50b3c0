using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// A dispute of a pack bought as a gift under <see cref="CreditDisputePolicy.FreezeOnOpen"/>: opened while the gift is
/// pending, it revokes the gift and freezes the pack with the buyer (a redemption would hand frozen credits on); opened
/// once redeemed, it freezes the recipient's; decided, it releases the freeze wherever it is, and a lost one takes the pack
/// from that holder. A won dispute never revokes a pending gift.
/// </summary>
public abstract class GiftPurchaseFreezeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const long Pro = 200;

    private GiftSetup Setup => field ??= new GiftSetup(database, o => o.DisputePolicy = CreditDisputePolicy.FreezeOnOpen);

    private Task<PurchaseReversalResult> DisputeAsync(string payment, PaymentDisputeState state, string dispute = "dp_freeze") =>
        Setup.With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordDisputeAsync(payment, dispute, 2999, state));

    [Fact]
    public async Task DisputeOpened_GiftPending_RevokesItAndFreezesThePackWithTheBuyer()
    {
        var (buyer, payment, giftId, code) = await Setup.BoughtGiftAsync();

        var opened = await DisputeAsync(payment, PaymentDisputeState.Open);
        var redeemed = await Setup.Gifts(g => g.RedeemGiftAsync(code, GiftSetup.NewUser("recipient")));

        Assert.Equal((0L, 0L), (opened.CreditsRemoved, opened.Shortfall));
        Assert.Equal(CreditGiftStatus.Revoked, (await Setup.RowAsync(giftId)).Status);
        Assert.Equal(CreditGiftError.InvalidCode, redeemed.Error);
        Assert.Equal((Pro, Pro, Pro), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task DisputeWon_AfterItOpenedOnAPendingGift_LeavesTheBuyerThePackAndNothingFrozen()
    {
        var (buyer, payment, _, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");
        await DisputeAsync(payment, PaymentDisputeState.Open);
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));

        var won = await DisputeAsync(payment, PaymentDisputeState.Won);

        Assert.Equal((0L, 0L), (won.CreditsRemoved, won.CreditsRestored));
        Assert.Equal((Pro, 0L, Pro), await Setup.AccountAsync(buyer));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task DisputeLost_AfterItOpenedOnAPendingGift_TakesThePackFromTheBuyer()
    {
        var (buyer, payment, _, _) = await Setup.BoughtGiftAsync();
        await DisputeAsync(payment, PaymentDisputeState.Open);

        var lost = await DisputeAsync(payment, PaymentDisputeState.Lost);

        Assert.Equal((Pro, 0L), (lost.CreditsRemoved, lost.Shortfall));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task DisputeOpened_DeliveredTwiceOnAPendingGift_FreezesThePackOnce()
    {
        var (buyer, payment, _, _) = await Setup.BoughtGiftAsync();

        await DisputeAsync(payment, PaymentDisputeState.Open);
        await DisputeAsync(payment, PaymentDisputeState.Open);

        Assert.Equal((Pro, Pro, Pro), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task DisputeWon_WithoutAnOpenedDelivery_LeavesTheGiftPending()
    {
        var (buyer, payment, giftId, _) = await Setup.BoughtGiftAsync();

        await DisputeAsync(payment, PaymentDisputeState.Won);

        Assert.Equal(CreditGiftStatus.Pending, (await Setup.RowAsync(giftId)).Status);
        Assert.Equal((Pro, Pro, Pro), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task DisputeOpened_GiftRedeemed_FreezesTheRecipientsCreditsUntilWon()
    {
        var (buyer, payment, giftId, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));

        await DisputeAsync(payment, PaymentDisputeState.Open);
        var frozen = await Setup.AccountAsync(recipient);
        await DisputeAsync(payment, PaymentDisputeState.Won);

        Assert.Equal(CreditGiftStatus.Redeemed, (await Setup.RowAsync(giftId)).Status);
        Assert.Equal((Pro, Pro, Pro), frozen);
        Assert.Equal((Pro, 0L, Pro), await Setup.AccountAsync(recipient));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task DisputeWon_ReleasesAFreezeAnOlderVersionLeftOnTheBuyerOfARedeemedGift()
    {
        var (buyer, recipient, payment) = await RedeemedGiftFrozenOnItsBuyerAsync();

        await DisputeAsync(payment, PaymentDisputeState.Won);

        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
        Assert.Equal((Pro, 0L, Pro), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task DisputeLost_ReleasesAFreezeAnOlderVersionLeftOnTheBuyerAndTakesThePackFromTheRecipient()
    {
        var (buyer, recipient, payment) = await RedeemedGiftFrozenOnItsBuyerAsync();

        var lost = await DisputeAsync(payment, PaymentDisputeState.Lost);

        Assert.Equal(Pro, lost.CreditsRemoved);
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task DisputeWon_DeliveredAgain_ReleasesAFreezeAnOlderVersionLeftOnTheBuyerAfterDecidingIt()
    {
        var (buyer, recipient, payment) = await RedeemedGiftFrozenOnItsBuyerAsync(PaymentDisputeState.Won);

        var again = await DisputeAsync(payment, PaymentDisputeState.Won);

        Assert.Equal((0L, 0L), (again.CreditsRemoved, again.CreditsRestored));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(buyer));
        Assert.Equal((Pro, 0L, Pro), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task DisputeOpenedRacingRedemption_ThePackIsFrozenWithOneHolderAndAWonDisputeFreesIt()
    {
        for (var round = 0; round < 10; round++)
        {
            var (buyer, payment, _, code) = await Setup.BoughtGiftAsync();
            var recipient = GiftSetup.NewUser("recipient");

            var redeem = Task.Run(() => Setup.Gifts(g => g.RedeemGiftAsync(code, recipient)));
            var open = Task.Run(() => DisputeAsync(payment, PaymentDisputeState.Open, $"dp_race_{round}"));
            var redeemed = (await redeem).Success;
            await open;
            var (holder, other) = redeemed ? (recipient, buyer) : (buyer, recipient);
            var frozen = (await Setup.AccountAsync(holder), await Setup.AccountAsync(other));
            await DisputeAsync(payment, PaymentDisputeState.Won, $"dp_race_{round}");

            Assert.Equal(((Pro, Pro, Pro), (0L, 0L, 0L)), frozen);
            Assert.Equal((Pro, 0L, Pro), await Setup.AccountAsync(holder));
            Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(other));
        }
    }

    /// <summary>
    /// A bought gift redeemed, with the rows versions before 0029's fix wrote when a dispute opened on it while it was
    /// pending: the purchase disputed (in <paramref name="state"/>), the pack frozen with the buyer (a hold on credits
    /// the buyer no longer has).
    /// </summary>
    private async Task<(string Buyer, string Recipient, string Payment)> RedeemedGiftFrozenOnItsBuyerAsync(
        PaymentDisputeState state = PaymentDisputeState.Open, string dispute = "dp_freeze")
    {
        var (buyer, payment, _, code) = await Setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");
        await Setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
        await using var scope = Setup.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        await db.Set<CreditPurchase>().Where(p => p.ProviderPaymentId == payment).ExecuteUpdateAsync(u => u
            .SetProperty(p => p.DisputeId, dispute).SetProperty(p => p.DisputeState, state)
            .SetProperty(p => p.DisputedAmountCents, state == PaymentDisputeState.Won ? 0 : 2999));
        await db.Accounts.Where(a => a.UserId == buyer).ExecuteUpdateAsync(u => u.SetProperty(a => a.Reserved, a => a.Reserved + Pro));
        db.Add(new CreditReservation
        {
            Id = Guid.CreateVersion7(), UserId = buyer, Feature = "dispute", Model = "frozen", Amount = Pro, RequestedAmount = Pro,
            Status = ReservationStatus.Active, IdempotencyKey = $"mf:dispute:{dispute}", CreatedAt = DateTime.UtcNow,
            ExpiresAt = DateTime.SpecifyKind(new DateTime(9999, 1, 1), DateTimeKind.Utc),
        });
        await db.SaveChangesAsync();
        return (buyer, recipient, payment);
    }
}

public sealed class SqliteGiftPurchaseFreezeTests(SqliteCreditsDatabase database) : GiftPurchaseFreezeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftPurchaseFreezeTests(PostgresCreditsDatabase database) : GiftPurchaseFreezeTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftPurchaseFreezeTests(MariaDbCreditsDatabase database) : GiftPurchaseFreezeTests<MariaDbCreditsDatabase>(database);
