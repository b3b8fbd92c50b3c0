using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>What the Stripe webhook counts (processed, rejected with the reason) and the span it emits.</summary>
public abstract class StripeWebhookTelemetryTests<TDatabase>(TDatabase database) : StripeCheckoutAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Webhook_MissingSignatureHeader_CountsRejectedAsInvalidSignature()
    {
        using var rejected = App.Collect("mediaforge.credits.webhooks.rejected");

        await SendAsync(WebhookPayloads.StripeOtherEvent("customer.created"), secret: null);

        Assert.True(Assert.Single(rejected.GetMeasurementSnapshot()).MatchesTags(
            new KeyValuePair<string, object?>("credits.provider", "stripe"), new KeyValuePair<string, object?>("credits.reason", "invalid_signature")));
    }

    [Fact]
    public async Task Webhook_WrongSecret_CountsRejectedAsInvalidSignature()
    {
        using var rejected = App.Collect("mediaforge.credits.webhooks.rejected");

        var response = await SendAsync(WebhookPayloads.StripeOtherEvent("customer.created"), secret: "whsec_" + new string('w', 32));

        Assert.Equal("invalid_signature", (await ProblemAnswer.ReadAsync(response)).Code);
        Assert.True(Assert.Single(rejected.GetMeasurementSnapshot()).MatchesTags(
            new KeyValuePair<string, object?>("credits.provider", "stripe"), new KeyValuePair<string, object?>("credits.reason", "invalid_signature")));
    }

    [Fact]
    public async Task Webhook_SignedEventOfTheWrongShape_CountsRejectedAsMalformedEvent()
    {
        using var rejected = App.Collect("mediaforge.credits.webhooks.rejected");

        await SendAsync(WebhookPayloads.StripeChargeRefunded("pi_test_1", -1, 0));

        Assert.True(Assert.Single(rejected.GetMeasurementSnapshot()).MatchesTags(
            new KeyValuePair<string, object?>("credits.provider", "stripe"), new KeyValuePair<string, object?>("credits.reason", "malformed_event")));
    }

    [Fact]
    public async Task Webhook_Processed_CountsItsTypeAndOutcome()
    {
        using var processed = App.Collect("mediaforge.credits.webhooks.processed");
        var (_, sessionId, metadata) = await CheckoutAsync();

        await SendAsync(WebhookPayloads.StripeSessionEvent("checkout.session.expired", sessionId, 2999, "usd", "unpaid", metadata));

        Assert.True(Assert.Single(processed.GetMeasurementSnapshot()).ContainsTags(
            new KeyValuePair<string, object?>("credits.provider", "stripe"), new KeyValuePair<string, object?>("credits.event_type", "checkout.session.expired"),
            new KeyValuePair<string, object?>("credits.outcome", "expired")));
    }

    [Fact]
    public async Task Webhook_Processed_EmitsAWebhookSpanTaggedWithTheProviderTypeAndOutcome()
    {
        var type = "customer.span_" + Guid.NewGuid().ToString("N"); // no other test's event has this type
        using var collected = new CollectedSpans(activity => activity.GetTagItem("credits.event_type") as string == type);

        await SendAsync(WebhookPayloads.StripeOtherEvent(type));

        var span = Assert.Single(collected.Spans);
        Assert.Equal(("credits.webhook", "stripe", "ignored"),
            (span.OperationName, span.GetTagItem("credits.provider") as string, span.GetTagItem("credits.outcome") as string));
    }
}

public sealed class SqliteStripeWebhookTelemetryTests(SqliteCreditsDatabase database) : StripeWebhookTelemetryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresStripeWebhookTelemetryTests(PostgresCreditsDatabase database) : StripeWebhookTelemetryTests<PostgresCreditsDatabase>(database);
