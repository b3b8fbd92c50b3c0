using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>
/// The Stripe API calls the add-on makes (<c>POST /v1/checkout/sessions</c>, <c>GET /v1/checkout/sessions/{id}</c>,
/// <c>POST /v1/payment_intents</c> of auto top-up: <see cref="DevelopmentOffSessionCharges"/>),
/// answered in-process: Stripe.net's real <see cref="StripeClient"/> sends its HTTP requests to this handler instead
/// of the network, so the add-on's Stripe code runs unchanged.
/// </summary>
internal sealed class DevelopmentStripeApi : HttpMessageHandler
{
    private const string SessionsPath = "/v1/checkout/sessions";
    private const string PaymentIntentsPath = "/v1/payment_intents";
    private readonly DevelopmentCheckoutStore store;
    private readonly DevelopmentOffSessionCharges charges;
    private readonly IOptions<CreditsDevelopmentOptions> options;
    private readonly TimeProvider time;
    private readonly IOptions<CreditsOptions> credits;

    public DevelopmentStripeApi(DevelopmentCheckoutStore store, DevelopmentOffSessionCharges charges, IOptions<CreditsDevelopmentOptions> options, TimeProvider time,
        IOptions<CreditsOptions> credits)
    {
        this.store = store;
        this.charges = charges;
        this.options = options;
        this.time = time;
        this.credits = credits;
        Client = new StripeClient(new StripeClientOptions
        {
            ApiKey = "sk_test_mediaforge_development",
            ApiBase = "https://stripe.development.invalid",
            HttpClient = new SystemNetHttpClient(new HttpClient(this, disposeHandler: false), maxNetworkRetries: 0, enableTelemetry: false),
        });
    }

    /// <summary>The Stripe client wired to this handler.</summary>
    public IStripeClient Client { get; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (request.Method == HttpMethod.Post && path == SessionsPath)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return Create(QueryHelpers.ParseQuery(body).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal));
        }

        if (request.Method == HttpMethod.Post && path == PaymentIntentsPath)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return await charges.ChargeAsync(QueryHelpers.ParseQuery(body).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal), cancellationToken)
                .ConfigureAwait(false);
        }

        if (request.Method == HttpMethod.Get && path.StartsWith(SessionsPath + "/", StringComparison.Ordinal))
        {
            var id = Uri.UnescapeDataString(path[(SessionsPath.Length + 1)..]);
            return store.Find(id) is { } session
                ? Json(HttpStatusCode.OK, session.ToStripeJson())
                : Error(HttpStatusCode.NotFound, "invalid_request_error", $"No such checkout.session: '{id}'");
        }

        return Error(HttpStatusCode.NotFound, "invalid_request_error",
            $"The development gateway does not implement {request.Method} {path}.");
    }

    private HttpResponseMessage Create(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("mode") == "subscription")
        {
            return CreateSubscription(form);
        }

        if (!form.TryGetValue("line_items[0][price_data][unit_amount]", out var amountText)
            || !long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || !form.TryGetValue("line_items[0][price_data][currency]", out var currency)
            || !form.TryGetValue("success_url", out var successUrl)
            || !form.TryGetValue("cancel_url", out var cancelUrl))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request_error",
                "The development gateway needs one line item with price_data, a success_url and a cancel_url.");
        }

        var id = "cs_dev_" + Guid.NewGuid().ToString("N");
        var session = new DevelopmentCheckoutSession
        {
            Id = id,
            ProductName = form.GetValueOrDefault("line_items[0][price_data][product_data][name]") ?? "Credits",
            ProductDescription = form.GetValueOrDefault("line_items[0][price_data][product_data][description]"),
            AmountTotal = amount,
            Currency = currency,
            ClientReferenceId = form.GetValueOrDefault("client_reference_id"),
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Url = CheckoutUrl(successUrl, id),
            Metadata = form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal) && f.Key.EndsWith(']'))
                .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value, StringComparer.Ordinal),
            Created = time.GetUtcNow(),
            SetupFutureUsage = form.GetValueOrDefault("payment_intent_data[setup_future_usage]"),
            PaymentIntentMetadata = form.Where(f => f.Key.StartsWith("payment_intent_data[metadata][", StringComparison.Ordinal) && f.Key.EndsWith(']'))
                .ToDictionary(f => f.Key["payment_intent_data[metadata][".Length..^1], f => f.Value, StringComparer.Ordinal),
        };
        store.Add(session);
        return Json(HttpStatusCode.OK, session.ToStripeJson());
    }

    /// <summary>Subscription mode: one line item naming a plan's price (the plan's allowance comes with its invoices).</summary>
    private HttpResponseMessage CreateSubscription(Dictionary<string, string> form)
    {
        if (!form.TryGetValue("line_items[0][price]", out var price) || !form.TryGetValue("success_url", out var successUrl)
            || !form.TryGetValue("cancel_url", out var cancelUrl))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request_error",
                "The development gateway needs one line item with a price, a success_url and a cancel_url in subscription mode.");
        }

        // Stripe shows the price's amount; the gateway knows it from the plans the app was configured with.
        var plan = credits.Value.DefaultPlans.FirstOrDefault(p => p.StripePriceId == price);
        var id = "cs_dev_" + Guid.NewGuid().ToString("N");
        var session = new DevelopmentCheckoutSession
        {
            Id = id,
            ProductName = "Subscription: " + (plan?.Name ?? form.GetValueOrDefault("metadata[plan_id]") ?? price),
            ProductDescription = plan is null ? "A plan whose allowance is granted with each paid invoice."
                : string.Create(CultureInfo.InvariantCulture, $"{plan.CreditsPerPeriod:N0} credits every {plan.Interval}, granted with each paid invoice."),
            AmountTotal = plan?.PriceCents ?? 0,
            Currency = plan?.Currency ?? "usd",
            ClientReferenceId = form.GetValueOrDefault("client_reference_id"),
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Url = CheckoutUrl(successUrl, id),
            Metadata = form.Where(f => f.Key.StartsWith("subscription_data[metadata][", StringComparison.Ordinal) && f.Key.EndsWith(']'))
                .ToDictionary(f => f.Key["subscription_data[metadata][".Length..^1], f => f.Value, StringComparer.Ordinal),
            Created = time.GetUtcNow(),
            Mode = "subscription",
            PriceId = price,
        };
        store.Add(session);
        return Json(HttpStatusCode.OK, session.ToStripeJson());
    }

    /// <summary>The checkout page on the same origin as the success URL (which the add-on makes absolute on the current host).</summary>
    private string CheckoutUrl(string successUrl, string id)
    {
        var path = options.Value.CheckoutPath.TrimEnd('/') + "/" + id;
        return Uri.TryCreate(successUrl, UriKind.Absolute, out var success) && success.Scheme is "http" or "https"
            ? success.GetLeftPart(UriPartial.Authority) + path
            : path;
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string type, string message) =>
        Json(status, new Dictionary<string, object?> { ["error"] = new Dictionary<string, object?> { ["type"] = type, ["message"] = message } });

    private static HttpResponseMessage Json(HttpStatusCode status, object body) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };
}
