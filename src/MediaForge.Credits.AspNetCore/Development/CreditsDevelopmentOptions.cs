namespace MediaForge.Credits.AspNetCore;

/// <summary>
/// Settings of the development gateway (configuration section <c>MediaForge:Credits:Development</c>): a local test
/// checkout that stands in for Stripe Checkout when no <c>STRIPE_SECRET_KEY</c> is set, and Svix-signed Clerk
/// <c>user.created</c> deliveries for a development sign-in.
/// </summary>
public sealed class CreditsDevelopmentOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MediaForge:Credits:Development";

    /// <summary>
    /// Whether the gateway may run outside the <c>Development</c> environment (for example in a staging demo). Default
    /// <see langword="false"/>: start-up fails outside Development.
    /// </summary>
    public bool AllowOutsideDevelopment { get; set; }

    /// <summary>Where the test checkout pages live. Default <c>/_mediaforge/checkout</c>.</summary>
    public string CheckoutPath { get; set; } = "/_mediaforge/checkout";

    /// <summary>The path of the host's Stripe webhook endpoint, which the test checkout calls on Pay. Default <c>/api/stripe/webhook</c>.</summary>
    public string StripeWebhookPath { get; set; } = "/api/stripe/webhook";

    /// <summary>The path of the host's Clerk webhook endpoint, which development sign-ins call. Default <c>/api/webhooks/clerk</c>.</summary>
    public string ClerkWebhookPath { get; set; } = "/api/webhooks/clerk";
}
