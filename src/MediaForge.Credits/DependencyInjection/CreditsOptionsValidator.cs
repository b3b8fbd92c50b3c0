using MediaForge.Credits.Categories;
using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.DependencyInjection;

/// <summary>Rejects options that cannot work, at start-up.</summary>
internal sealed class CreditsOptionsValidator : IValidateOptions<CreditsOptions>
{
    /// <summary>The longest gift note the <c>credit_gifts.message</c> column holds.</summary>
    public const int MaxGiftMessageLength = 500;

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
        failures.AddRange(options.AdminUserIds.Where(id => id is not null && CreditOperationKeys.IsReserved(id))
            .Select(id => $"AdminUserIds must not contain '{id}': ids that start with '{CreditOperationKeys.ReservedPrefix}' are the library's own accounts (team wallets), never unlimited."));
        if (options.Teams.LimitPeriod is { } period && (period < TimeSpan.FromMinutes(1) || period > TimeSpan.FromDays(366)))
        {
            failures.Add($"Teams:{nameof(CreditTeamOptions.LimitPeriod)} must be 1 minute to 366 days, or unset for the calendar month (was {period}).");
        }

        failures.AddRange(options.DefaultPackages.Where(p => string.IsNullOrWhiteSpace(p.Id) || p.Credits <= 0 || p.PriceCents < 0 || (p.PriceCents == 0) != p.IsFree)
            .Select(p => $"Default package '{p.Id}' is invalid: it needs an id, credits > 0, and a price of 0 exactly when it is free."));
        failures.AddRange(options.DefaultFeaturePricing.Where(p => string.IsNullOrWhiteSpace(p.Feature) || string.IsNullOrWhiteSpace(p.Model) || p.Credits <= 0)
            .Select(p => $"Default price '{p.Feature}/{p.Model}' is invalid: it needs a feature, a model and credits > 0."));
        failures.AddRange(CreditBurnOrder.Failures(options.CategoryPriorities));
        failures.AddRange(VolumeFailures(options));
        failures.AddRange(options.DefaultPlans.Where(p => string.IsNullOrWhiteSpace(p.Id) || string.IsNullOrWhiteSpace(p.StripePriceId) || p.CreditsPerPeriod <= 0
                || p.RolloverCap < 0 || p.TrialCredits < 0 || p.PriceCents < 0 || !Enum.IsDefined(p.RolloverPolicy))
            .Select(p => $"Default plan '{p.Id}' is invalid: it needs an id, a Stripe price id, credits per period > 0, and no negative cap, trial or price."));
        if (options.Subscriptions.RenewalGrace < TimeSpan.Zero || options.Subscriptions.RenewalGrace > TimeSpan.FromDays(30))
        {
            failures.Add($"Subscriptions:{nameof(CreditSubscriptionOptions.RenewalGrace)} must be 0 to 30 days (was {options.Subscriptions.RenewalGrace}).");
        }

        failures.AddRange(ReferralFailures(options.Referrals));
        failures.AddRange(GiftFailures(options.Gifts));
        failures.AddRange(EventFailures(options.Events));
        failures.AddRange(TopUpFailures(options.AutoTopUp));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> TopUpFailures(CreditAutoTopUpOptions topUps)
    {
        const string prefix = nameof(CreditsOptions.AutoTopUp) + ".";
        if (topUps.MaxConsecutiveFailures is < 1 or > 10)
        {
            yield return $"{prefix}{nameof(topUps.MaxConsecutiveFailures)} must be 1 to 10 (was {topUps.MaxConsecutiveFailures}).";
        }

        if (topUps.RetryDelay <= TimeSpan.Zero || topUps.PollInterval <= TimeSpan.Zero || topUps.LeaseDuration <= TimeSpan.Zero
            || topUps.SettingsCacheDuration < TimeSpan.Zero)
        {
            yield return $"{prefix}{nameof(topUps.RetryDelay)}, {nameof(topUps.PollInterval)} and {nameof(topUps.LeaseDuration)} must be positive, {nameof(topUps.SettingsCacheDuration)} not negative.";
        }
    }

    private static IEnumerable<string> EventFailures(Events.CreditEventOptions events)
    {
        const string prefix = nameof(CreditsOptions.Events) + ".";
        if (events.LowBalanceThreshold is < 0 or > CreditLimits.MaxBalance)
        {
            yield return $"{prefix}{nameof(events.LowBalanceThreshold)} must be 0 (off) to {CreditLimits.MaxBalance} (was {events.LowBalanceThreshold}).";
        }

        if (events.BatchSize is < 1 or > 1000)
        {
            yield return $"{prefix}{nameof(events.BatchSize)} must be 1 to 1000 (was {events.BatchSize}).";
        }

        if (events.PollInterval <= TimeSpan.Zero || events.LeaseDuration <= TimeSpan.Zero || events.RetryDelay <= TimeSpan.Zero
            || events.MaxRetryDelay < events.RetryDelay || events.Retention <= TimeSpan.Zero)
        {
            yield return $"{prefix}{nameof(events.PollInterval)}, {nameof(events.LeaseDuration)}, {nameof(events.RetryDelay)} and {nameof(events.Retention)} must be positive, and {nameof(events.MaxRetryDelay)} at least {nameof(events.RetryDelay)}.";
        }
    }

    private static IEnumerable<string> VolumeFailures(CreditsOptions options)
    {
        if (options.Volume.MaxQuantity is < 1 or > 10_000 || options.Volume.MaxCredits is < 1 or > CreditLimits.MaxAmount)
        {
            yield return $"Volume.{nameof(CreditVolumeOptions.MaxQuantity)} must be 1 to 10000 and {nameof(CreditVolumeOptions.MaxCredits)} 1 to {CreditLimits.MaxAmount} (were {options.Volume.MaxQuantity} and {options.Volume.MaxCredits}).";
        }

        foreach (var tier in options.DefaultPackageTiers)
        {
            if (!options.DefaultPackages.Any(p => string.Equals(p.Id, tier.PackageId, StringComparison.OrdinalIgnoreCase) && !p.IsFree && !p.OncePerUser)
                || tier.MinCredits is < 1 or > CreditLimits.MaxAmount || tier.DiscountBasisPoints is < 1 or > CreditVolumePricing.MaxDiscountBasisPoints)
            {
                yield return $"Default tier '{tier.PackageId}' from {tier.MinCredits} is invalid: it needs a paid default package sold more than once, 1 to {CreditLimits.MaxAmount} credits and a discount of 1 to {CreditVolumePricing.MaxDiscountBasisPoints} basis points (was {tier.DiscountBasisPoints}).";
            }
        }
    }

    private static IEnumerable<string> GiftFailures(CreditGiftOptions gifts)
    {
        const string prefix = nameof(CreditsOptions.Gifts) + ".";
        if (gifts.MaxGiftAmount is < 1 or > CreditLimits.MaxAmount)
        {
            yield return $"{prefix}{nameof(CreditGiftOptions.MaxGiftAmount)} must be 1 to {CreditLimits.MaxAmount} (was {gifts.MaxGiftAmount}).";
        }

        if (gifts.DefaultLifetime <= TimeSpan.Zero || gifts.MaxLifetime < gifts.DefaultLifetime)
        {
            yield return $"{prefix}{nameof(CreditGiftOptions.DefaultLifetime)} must be positive and at most {nameof(CreditGiftOptions.MaxLifetime)} (were {gifts.DefaultLifetime} and {gifts.MaxLifetime}).";
        }

        if (gifts.MaxMessageLength is < 1 or > MaxGiftMessageLength)
        {
            yield return $"{prefix}{nameof(CreditGiftOptions.MaxMessageLength)} must be 1 to {MaxGiftMessageLength} (was {gifts.MaxMessageLength}).";
        }

        if (gifts.RedeemAttemptsPerWindow < 1 || gifts.RedeemWindow <= TimeSpan.Zero)
        {
            yield return $"{prefix}{nameof(CreditGiftOptions.RedeemAttemptsPerWindow)} must be at least 1 and {nameof(CreditGiftOptions.RedeemWindow)} positive (were {gifts.RedeemAttemptsPerWindow} and {gifts.RedeemWindow}).";
        }

        if (!IsLinkPath(gifts.LinkPath))
        {
            yield return $"{prefix}{nameof(CreditGiftOptions.LinkPath)} must be a path of at most 200 characters that starts with one '/' and has no query or fragment (was '{gifts.LinkPath}').";
        }
    }

    /// <summary>A path for a link: at most 200 characters, one leading '/', no query, fragment, backslash or space.</summary>
    private static bool IsLinkPath(string? path) =>
        path is { Length: > 0 and <= 200 } && path[0] == '/' && !path.StartsWith("//", StringComparison.Ordinal)
        && path.IndexOfAny(['?', '#', '\\', ' ']) < 0 && Uri.IsWellFormedUriString(path, UriKind.Relative);

    private static IEnumerable<string> ReferralFailures(CreditReferralOptions referrals)
    {
        const string prefix = nameof(CreditsOptions.Referrals) + ".";
        if (referrals.RefereeBonus is < 0 or > CreditLimits.MaxAmount || referrals.ReferrerReward is < 0 or > CreditLimits.MaxAmount)
        {
            yield return $"{prefix}{nameof(CreditReferralOptions.RefereeBonus)} and {nameof(CreditReferralOptions.ReferrerReward)} must be between 0 and {CreditLimits.MaxAmount} (were {referrals.RefereeBonus} and {referrals.ReferrerReward}).";
        }

        if (!Enum.IsDefined(referrals.QualifyingEvent) || !Enum.IsDefined(referrals.EmailNormalization))
        {
            yield return $"{prefix}{nameof(CreditReferralOptions.QualifyingEvent)} ({referrals.QualifyingEvent}) or {nameof(CreditReferralOptions.EmailNormalization)} ({referrals.EmailNormalization}) is not a known value.";
        }

        if (referrals.MinimumQualifyingPurchaseCents < 0)
        {
            yield return $"{prefix}{nameof(CreditReferralOptions.MinimumQualifyingPurchaseCents)} must not be negative (was {referrals.MinimumQualifyingPurchaseCents}).";
        }

        if (referrals.MonthlyRewardCap < 1 || referrals.MonthlyAttachCap < 1)
        {
            yield return $"{prefix}{nameof(CreditReferralOptions.MonthlyRewardCap)} and {nameof(CreditReferralOptions.MonthlyAttachCap)} must be at least 1 when set (no cap: leave them unset).";
        }

        if (referrals.AttachWindow <= TimeSpan.Zero)
        {
            yield return $"{prefix}{nameof(CreditReferralOptions.AttachWindow)} must be positive (was {referrals.AttachWindow}).";
        }

        if (!IsLinkPath(referrals.LinkPath))
        {
            yield return $"{prefix}{nameof(CreditReferralOptions.LinkPath)} must be a path of at most 200 characters that starts with one '/' and has no query or fragment (was '{referrals.LinkPath}').";
        }
    }
}
