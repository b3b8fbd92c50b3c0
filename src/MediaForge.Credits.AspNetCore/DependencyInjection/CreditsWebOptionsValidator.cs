namespace MediaForge.Credits.AspNetCore.DependencyInjection;

/// <summary>Rejects add-on settings that cannot work, at start-up. Missing secrets are allowed (the endpoints then answer 503).</summary>
internal sealed class CreditsWebOptionsValidator :
    IValidateOptions<CreditsStripeOptions>, IValidateOptions<CreditsClerkOptions>, IValidateOptions<CreditsHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, CreditsStripeOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.WebhookSecret) && !options.WebhookSecret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            failures.Add("The Stripe webhook secret (STRIPE_WEBHOOK_SECRET) must start with 'whsec_'.");
        }

        if (!string.IsNullOrEmpty(options.SecretKey) && !options.SecretKey.StartsWith("sk_", StringComparison.Ordinal) && !options.SecretKey.StartsWith("rk_", StringComparison.Ordinal))
        {
            failures.Add("The Stripe secret key (STRIPE_SECRET_KEY) must start with 'sk_' or 'rk_'.");
        }

        if (options.WebhookTolerance <= TimeSpan.Zero)
        {
            failures.Add("Stripe WebhookTolerance must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, CreditsClerkOptions options)
    {
        if (!string.IsNullOrEmpty(options.WebhookSecret))
        {
            var key = options.WebhookSecret.StartsWith("whsec_", StringComparison.Ordinal) ? options.WebhookSecret[6..] : options.WebhookSecret;
            var buffer = new byte[key.Length];
            if (!Convert.TryFromBase64String(key, buffer, out _))
            {
                return ValidateOptionsResult.Fail("The Clerk webhook secret (CLERK_WEBHOOK_SECRET) must be 'whsec_' followed by base64, as Clerk shows it.");
            }
        }

        return options.WebhookTolerance <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail("Clerk WebhookTolerance must be positive.")
            : ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, CreditsHttpOptions options) =>
        options.UserIdClaimTypes.Count == 0 ? ValidateOptionsResult.Fail("UserIdClaimTypes needs at least one claim type.")
        : options.MaxWebhookBodyBytes < 1024 ? ValidateOptionsResult.Fail("MaxWebhookBodyBytes must be at least 1024.")
        : !string.IsNullOrEmpty(options.PublicBaseUrl) && !CreditsPublicAddress.IsValidBase(options.PublicBaseUrl)
            ? ValidateOptionsResult.Fail($"PublicBaseUrl must be an absolute http or https URL without query or fragment, such as " +
                $"https://app.example.com; '{options.PublicBaseUrl}' is not.")
        : ValidateOptionsResult.Success;
}
