namespace MediaForge.Credits.DependencyInjection;

/// <summary>Rejects options that cannot work, at start-up.</summary>
internal sealed class CreditsOptionsValidator : IValidateOptions<CreditsOptions>
{
    public ValidateOptionsResult Validate(string? name, CreditsOptions options)
    {
        var failures = new List<string>();
        if (options.PricingCacheDuration < TimeSpan.Zero)
        {
            failures.Add($"{nameof(CreditsOptions.PricingCacheDuration)} must not be negative (was {options.PricingCacheDuration}).");
        }

        if (options.MaxPromptLength < 1)
        {
            failures.Add($"{nameof(CreditsOptions.MaxPromptLength)} must be at least 1 (was {options.MaxPromptLength}).");
        }

        if (options.Transfers.MaxTransferAmount is < 1 or > CreditLimits.MaxAmount)
        {
            failures.Add($"Transfers:{nameof(CreditTransferOptions.MaxTransferAmount)} must be 1 to {CreditLimits.MaxAmount} (was {options.Transfers.MaxTransferAmount}).");
        }

        failures.AddRange(options.AdminUserIds.Where(string.IsNullOrWhiteSpace).Select(_ => "AdminUserIds must not contain empty ids."));
        failures.AddRange(options.DefaultPackages.Where(p => string.IsNullOrWhiteSpace(p.Id) || p.Credits <= 0 || p.PriceCents < 0 || (p.PriceCents == 0) != p.IsFree)
            .Select(p => $"Default package '{p.Id}' is invalid: it needs an id, credits > 0, and a price of 0 exactly when it is free."));
        failures.AddRange(options.DefaultFeaturePricing.Where(p => string.IsNullOrWhiteSpace(p.Feature) || string.IsNullOrWhiteSpace(p.Model) || p.Credits <= 0)
            .Select(p => $"Default price '{p.Feature}/{p.Model}' is invalid: it needs a feature, a model and credits > 0."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
