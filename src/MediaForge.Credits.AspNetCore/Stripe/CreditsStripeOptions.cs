namespace MediaForge.Credits.AspNetCore;

/// <summary>Stripe settings (configuration section <c>MediaForge:Credits:Stripe</c>; the seed's variables work too).</summary>
public sealed class CreditsStripeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MediaForge:Credits:Stripe";

    /// <summary>The secret API key (<c>sk_...</c>; variable <c>STRIPE_SECRET_KEY</c>). Not needed when the host registers an <c>IStripeClient</c>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The webhook signing secret (<c>whsec_...</c>; variable <c>STRIPE_WEBHOOK_SECRET</c>).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The publishable key (<c>pk_...</c>; variable <c>NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY</c> or <c>STRIPE_PUBLISHABLE_KEY</c>).</summary>
    public string? PublishableKey { get; set; }

    /// <summary>
    /// Where Stripe sends the buyer after paying; absolute, or a path on the host. <c>{CHECKOUT_SESSION_ID}</c> is
    /// replaced by Stripe. Default: <c>/?checkout=success&amp;session_id={CHECKOUT_SESSION_ID}</c>.
    /// </summary>
    public string SuccessUrl { get; set; } = "/?checkout=success&session_id={CHECKOUT_SESSION_ID}";

    /// <summary>Where Stripe sends the buyer who cancels; absolute, or a path on the host. Default: <c>/?checkout=cancelled</c>.</summary>
    public string CancelUrl { get; set; } = "/?checkout=cancelled";

    /// <summary>How old a webhook signature may be (Stripe's default: 300 seconds).</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Whether to refuse events whose API version differs from the one Stripe.net was built for. Default
    /// <see langword="false"/>: webhook endpoints are often pinned to an older version, and the fields read here
    /// (ids, amounts, currency, metadata, payment status) are stable across versions.
    /// </summary>
    public bool ThrowOnApiVersionMismatch { get; set; }
}
