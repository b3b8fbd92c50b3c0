using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// A completion after the payment failed or the session expired (the buyer paid after all): the purchase is completed,
/// its failure cleared, its payment the one that paid (kept when the completion names none); a completion delivered
/// again answers the balance right after its own grant.
/// </summary>
public abstract class PurchaseCompletionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private Task<PurchaseFulfilmentResult> CompleteAsync(string session, string? payment) =>
        database.WithPurchasesAsync(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));

    private async Task<CreditPurchase> RowAsync(Guid id)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Purchases.AsNoTracking().SingleAsync(p => p.Id == id);
    }

    [Fact]
    public async Task CompletePurchase_AfterItFailed_CompletesItWithThePaymentThatPaid()
    {
        var (_, id, session) = await database.StartAsync();
        await database.WithPurchasesAsync(p => p.FailPurchaseAsync(id, "card_declined", "pi_declined"));

        var result = await CompleteAsync(session, "pi_paid");

        var row = await RowAsync(id);
        Assert.Equal(PurchaseFulfilmentOutcome.Completed, result.Outcome);
        Assert.Equal((PurchaseStatus.Completed, (string?)null, "pi_paid"), (row.Status, row.FailureReason, row.ProviderPaymentId));
    }

    [Fact]
    public async Task CompletePurchase_AfterItFailed_WithoutAPaymentId_KeepsTheFailedPaymentsId()
    {
        var (_, id, session) = await database.StartAsync();
        await database.WithPurchasesAsync(p => p.FailPurchaseAsync(id, "processing_error", "pi_retried"));

        await CompleteAsync(session, null);

        var row = await RowAsync(id);
        Assert.Equal((PurchaseStatus.Completed, "pi_retried"), (row.Status, row.ProviderPaymentId));
    }

    [Fact]
    public async Task CompletePurchase_AfterItsSessionExpired_CompletesIt()
    {
        var (_, id, session) = await database.StartAsync();
        Assert.True(await database.WithPurchasesAsync(p => p.ExpirePurchaseAsync(session)));

        var result = await CompleteAsync(session, "pi_late");

        Assert.Equal((PurchaseFulfilmentOutcome.Completed, PurchaseStatus.Completed), (result.Outcome, (await RowAsync(id)).Status));
    }

    [Fact]
    public async Task CompletePurchase_DeliveredAgainAfterSpending_AnswersTheBalanceRightAfterItsGrant()
    {
        var (user, _, session) = await database.StartAsync();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 7, CreditTransactionType.Bonus, "welcome"));
        await CompleteAsync(session, "pi_paid");
        await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        var again = await CompleteAsync(session, "pi_paid");

        Assert.Equal((PurchaseFulfilmentOutcome.AlreadyCompleted, 207L), (again.Outcome, again.Balance));
    }
}

public sealed class SqlitePurchaseCompletionTests(SqliteCreditsDatabase database) : PurchaseCompletionTests<SqliteCreditsDatabase>(database);

public sealed class PostgresPurchaseCompletionTests(PostgresCreditsDatabase database) : PurchaseCompletionTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbPurchaseCompletionTests(MariaDbCreditsDatabase database) : PurchaseCompletionTests<MariaDbCreditsDatabase>(database);
