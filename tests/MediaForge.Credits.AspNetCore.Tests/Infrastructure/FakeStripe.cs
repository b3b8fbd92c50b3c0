using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A local stand-in for the two Stripe API calls the add-on makes (create and retrieve a Checkout Session), served by
/// an in-memory test server that Stripe.net's real <see cref="StripeClient"/> talks to over HTTP.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    private readonly WebApplication app;
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
        await app.StartAsync();
        fake.Client = new StripeClient(new StripeClientOptions
        {
            ApiKey = "sk_test_fake",
            ApiBase = "http://localhost",
            HttpClient = new SystemNetHttpClient(app.GetTestClient(), maxNetworkRetries: 0, enableTelemetry: false),
        });
        return fake;
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
