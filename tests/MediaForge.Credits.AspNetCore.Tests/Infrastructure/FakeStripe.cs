using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A local stand-in for the Stripe API calls the add-on makes (create and retrieve a Checkout Session, create an
/// off-session PaymentIntent), served by
/// an in-memory test server that Stripe.net's real <see cref="StripeClient"/> talks to over HTTP.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, IResult> answered = new();
    private int counter;

    private FakeStripe(WebApplication app) => this.app = app;

    /// <summary>Every create-session request's form fields, in order.</summary>
    public ConcurrentQueue<Dictionary<string, string>> CreateRequests { get; } = new();

    /// <summary>Sessions by id: their fields as Stripe would return them.</summary>
    public ConcurrentDictionary<string, Dictionary<string, object?>> Sessions { get; } = new();

    /// <summary>When set, creating or reading a session answers with this HTTP status and a Stripe error.</summary>
    public int? FailWithStatus { get; set; }

    /// <summary>The <c>Idempotency-Key</c> header of each create-session request, in order.</summary>
    public ConcurrentQueue<string> IdempotencyKeys { get; } = new();

    public IStripeClient Client { get; private set; } = null!;

    /// <summary>Every create-payment-intent request's form fields and idempotency key, in order.</summary>
    public ConcurrentQueue<(Dictionary<string, string> Form, string IdempotencyKey)> PaymentIntentRequests { get; } = new();

    /// <summary>
    /// How the next off-session payment intents end: <c>succeeded</c> (default), <c>processing</c> (a bank debit not
    /// settled yet) or <c>requires_action</c> (3-D Secure wanted: 200 with that status), a decline code (402 <c>card_error</c> <c>card_declined</c> with it), or
    /// <c>api_error</c> (500, Stripe down). A repeated idempotency key gets the first answer again, as Stripe does.
    /// </summary>
    public string PaymentIntentOutcome { get; set; } = "succeeded";

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        var fake = new FakeStripe(app);
        app.MapPost("/v1/checkout/sessions", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
            fake.CreateRequests.Enqueue(fields);
            fake.IdempotencyKeys.Enqueue(request.Headers["Idempotency-Key"].ToString());
            if (fake.FailWithStatus is { } status)
            {
                return Results.Json(new { error = new { type = "api_error", message = "Stripe is down" } }, statusCode: status);
            }

            var id = $"cs_test_{Interlocked.Increment(ref fake.counter)}_{Guid.NewGuid():N}";
            var session = new Dictionary<string, object?>
            {
                ["id"] = id,
                ["object"] = "checkout.session",
                ["url"] = $"https://checkout.stripe.com/c/pay/{id}",
                ["status"] = "open",
                ["payment_status"] = "unpaid",
                ["mode"] = fields.GetValueOrDefault("mode"),
                // Subscription mode names a price id (line_items[0][price]); payment mode sends the price data.
                ["amount_total"] = fields.TryGetValue("line_items[0][price_data][unit_amount]", out var amount)
                    ? long.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) : null,
                ["currency"] = fields.GetValueOrDefault("line_items[0][price_data][currency]"),
                ["client_reference_id"] = fields.GetValueOrDefault("client_reference_id"),
                ["metadata"] = fields.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
                    .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value),
                ["payment_intent"] = null,
            };
            fake.Sessions[id] = session;
            return Results.Json(session);
        });
        app.MapGet("/v1/checkout/sessions/{id}", (string id) =>
            fake.FailWithStatus is { } status ? Results.Json(new { error = new { type = "api_error", message = "Stripe is down" } }, statusCode: status)
            : fake.Sessions.TryGetValue(id, out var session)
                ? Results.Json(session)
                : Results.Json(new { error = new { type = "invalid_request_error", message = $"No such checkout.session: '{id}'" } }, statusCode: 404));
        app.MapPost("/v1/payment_intents", async (HttpRequest request) =>
        {
            var form = (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
            var key = request.Headers["Idempotency-Key"].ToString();
            fake.PaymentIntentRequests.Enqueue((form, key));
            return fake.answered.GetOrAdd(key, _ => fake.PaymentIntent(form));
        });
        await app.StartAsync();
        fake.Client = new StripeClient(new StripeClientOptions
        {
            ApiKey = "sk_test_fake",
            ApiBase = "http://localhost",
            HttpClient = new SystemNetHttpClient(app.GetTestClient(), maxNetworkRetries: 0, enableTelemetry: false),
        });
        return fake;
    }

    private IResult PaymentIntent(Dictionary<string, string> form)
    {
        var id = $"pi_test_{Interlocked.Increment(ref counter)}_{Guid.NewGuid():N}";
        var outcome = PaymentIntentOutcome;
        var intent = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["object"] = "payment_intent",
            ["amount"] = long.Parse(form["amount"], System.Globalization.CultureInfo.InvariantCulture),
            ["currency"] = form["currency"],
            ["customer"] = form.GetValueOrDefault("customer"),
            ["payment_method"] = form.GetValueOrDefault("payment_method"),
            ["status"] = outcome is "succeeded" or "processing" or "requires_action" ? outcome : "requires_payment_method",
            ["metadata"] = form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)).ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value),
        };
        return outcome switch
        {
            "succeeded" or "processing" or "requires_action" => Results.Json(intent),
            "api_error" => Results.Json(new { error = new { type = "api_error", message = "Stripe is down" } }, statusCode: 500),
            _ => Results.Json(new
            {
                error = new { type = "card_error", code = "card_declined", decline_code = outcome, message = "Your card was declined.", payment_intent = intent },
            }, statusCode: 402),
        };
    }

    /// <summary>Makes Stripe report the session as paid (what happens when the buyer completes checkout).</summary>
    public void MarkPaid(string sessionId)
    {
        Sessions[sessionId]["status"] = "complete";
        Sessions[sessionId]["payment_status"] = "paid";
        Sessions[sessionId]["payment_intent"] = "pi_test_" + Guid.NewGuid().ToString("N");
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
