using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Gifts;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// A fulfilment that read its state while another of the same purchase or claim committed: a completion that read the
/// purchase as pending while another completion of the session (the webhook and the success page) committed, a free
/// claim that found no earlier grant while another claim of the user committed. Its grant is the other's replay, so it
/// answers as a replay (<see cref="PurchaseFulfilmentOutcome.AlreadyCompleted"/> with the same gift; not granted), and the
/// credits are granted once. Interleaved on purpose, not by chance: the other call runs and commits right after this
/// one's read. PostgreSQL and MariaDB only: SQLite takes the write lock at the transaction's start, so nothing can commit
/// between the read and the grant there.
/// </summary>
public abstract class FulfilmentInterleavingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const long Pro = 200;

    [Fact]
    public async Task CompletePurchase_AnotherCompletionCommittedAfterThePurchaseWasRead_AnswersAlreadyCompletedAndGrantsOnce()
    {
        var (other, late, buyer, setup) = await InterleavedAsync(gift: false);

        Assert.Equal((PurchaseFulfilmentOutcome.Completed, PurchaseFulfilmentOutcome.AlreadyCompleted), (other.Outcome, late.Outcome));
        Assert.Equal(other.TransactionId, late.TransactionId);
        Assert.Equal((Pro, 0L, Pro), await setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task CompletePurchase_OfAGiftAnotherCompletionFulfilledAfterThePurchaseWasRead_AnswersThatGift()
    {
        var (other, late, buyer, setup) = await InterleavedAsync(gift: true);

        Assert.NotNull(other.GiftId);
        Assert.Equal((PurchaseFulfilmentOutcome.AlreadyCompleted, other.GiftId), (late.Outcome, late.GiftId));
        Assert.Equal((Pro, Pro, Pro), await setup.AccountAsync(buyer));
    }

    [Fact]
    public async Task ClaimFreePackage_AnotherClaimCommittedAfterTheEarlierGrantWasLookedFor_AnswersNotGrantedAndGrantsOnce()
    {
        var plain = new GiftSetup(database);
        var next = new AnotherCallAfterTheNextRead("credit_transactions");
        var setup = new GiftSetup(database, configureContext: o => o.AddInterceptors(next));
        var user = GiftSetup.NewUser("claimer");
        FreePackageClaimResult? other = null;
        next.Call = async () => other = await plain.With<FreePackageClaimResult, ICreditPurchaseService>(p => p.ClaimFreePackageAsync(user, "starter"));

        var late = await setup.With<FreePackageClaimResult, ICreditPurchaseService>(p => p.ClaimFreePackageAsync(user, "starter"));

        Assert.Equal((true, false, false), (other!.Granted, late.Granted, late.EmailAlreadyClaimed));
        Assert.Equal((other.TransactionId, 50L), (late.TransactionId, late.Balance));
        Assert.Equal((50L, 0L, 50L), await setup.AccountAsync(user));
        await using var scope = setup.Services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Purchases.CountAsync(p => p.UserId == user));
    }

    private async Task<(PurchaseFulfilmentResult Other, PurchaseFulfilmentResult Late, string Buyer, GiftSetup Setup)> InterleavedAsync(bool gift)
    {
        var plain = new GiftSetup(database);
        var next = new AnotherCallAfterTheNextRead("purchases");
        var setup = new GiftSetup(database, configureContext: o => o.AddInterceptors(next));
        var buyer = GiftSetup.NewUser("buyer");
        var purchase = await plain.StartProAsync(buyer, gift);
        PurchaseFulfilmentResult? other = null;
        next.Call = async () => other = await plain.CompleteAsync(purchase);

        var late = await setup.CompleteAsync(purchase);

        return (Assert.IsType<PurchaseFulfilmentResult>(other), late, buyer, setup);
    }
}

public sealed class PostgresFulfilmentInterleavingTests(PostgresCreditsDatabase database) : FulfilmentInterleavingTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbFulfilmentInterleavingTests(MariaDbCreditsDatabase database) : FulfilmentInterleavingTests<MariaDbCreditsDatabase>(database);
