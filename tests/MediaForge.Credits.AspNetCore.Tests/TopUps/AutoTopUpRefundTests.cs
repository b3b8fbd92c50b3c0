using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.TopUps;

/// <summary>
/// A paid top-up's payment refunded or disputed in Stripe: <c>charge.refunded</c> and <c>charge.dispute.*</c> find the
/// top-up's purchase by its payment intent and take its credits back, once, like a checkout's.
/// </summary>
public abstract class AutoTopUpRefundTests<TDatabase>(TDatabase database) : AutoTopUpAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    /// <summary>A user whose top-up <paramref name="paymentIntent"/> paid: 9 + 200 credits.</summary>
    private async Task<string> PaidAsync(string paymentIntent)
    {
        var (user, topUp) = await CrossedAsync();
        Assert.Equal("top_up_granted", (await ReceiptAsync(SucceededFor(topUp, paymentIntent))).Outcome);
        return user;
    }

    [Fact]
    public async Task PaymentIntentSucceeded_RecordsTheTopUpAsAStripePurchaseOfItsPaymentIntent()
    {
        var paymentIntent = "pi_record_" + Guid.NewGuid().ToString("N");
        var user = await PaidAsync(paymentIntent);

        var purchase = await App.DbAsync(db => db.Purchases.SingleAsync(p => p.UserId == user));

        Assert.Equal(("stripe", paymentIntent, PackPrice, PurchaseStatus.Completed), (purchase.Provider, purchase.ProviderPaymentId, purchase.AmountCents, purchase.Status));
    }

    [Fact]
    public async Task ChargeRefunded_OfAPaidTopUp_RemovesItsCredits()
    {
        var paymentIntent = "pi_refund_" + Guid.NewGuid().ToString("N");
        var user = await PaidAsync(paymentIntent);

        var receipt = await ReceiptAsync(WebhookPayloads.StripeChargeRefunded(paymentIntent, PackPrice, PackPrice));

        Assert.Equal("refunded: 200 removed, 0 already spent", receipt.Outcome);
        Assert.Equal(9, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task ChargeRefunded_InTwoPartsAndDeliveredAgain_RemovesEachShareOnce()
    {
        var paymentIntent = "pi_parts_" + Guid.NewGuid().ToString("N");
        var user = await PaidAsync(paymentIntent);

        await ReceiptAsync(WebhookPayloads.StripeChargeRefunded(paymentIntent, PackPrice, 1500));
        await ReceiptAsync(WebhookPayloads.StripeChargeRefunded(paymentIntent, PackPrice, 1500)); // another event id, same figure
        Assert.Equal(109, await App.BalanceAsync(user));

        await ReceiptAsync(WebhookPayloads.StripeChargeRefunded(paymentIntent, PackPrice, PackPrice));
        Assert.Equal(9, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task ChargeRefunded_TwentyDeliveriesAtOnce_RemoveTheCreditsOnce()
    {
        var paymentIntent = "pi_storm_refund_" + Guid.NewGuid().ToString("N");
        var user = await PaidAsync(paymentIntent);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            App.Client().SendAsync(WebhookPayloads.StripeRequest(WebhookPayloads.StripeChargeRefunded(paymentIntent, PackPrice, PackPrice))))));

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        Assert.Equal(9, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task DisputeLost_OfAPaidTopUp_RemovesItsCredits()
    {
        var paymentIntent = "pi_dispute_" + Guid.NewGuid().ToString("N");
        var user = await PaidAsync(paymentIntent);

        var receipt = await ReceiptAsync(WebhookPayloads.StripeDispute("charge.dispute.closed", paymentIntent, "dp_" + user, PackPrice, "lost"));

        Assert.Equal("dispute lost: 200 removed, 0 restored", receipt.Outcome);
        Assert.Equal(9, await App.BalanceAsync(user));
    }
}

public sealed class SqliteAutoTopUpRefundTests(SqliteCreditsDatabase database) : AutoTopUpRefundTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpRefundTests(PostgresCreditsDatabase database) : AutoTopUpRefundTests<PostgresCreditsDatabase>(database);
