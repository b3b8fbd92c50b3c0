namespace MediaForge.Credits;

/// <summary>The default catalog: the packages and feature prices seeded on set-up.</summary>
public static class CreditsDefaults
{
    /// <summary>The id of the free sign-up pack.</summary>
    public const string StarterPackageId = "starter";

    /// <summary>Creates the default packages: starter (50, free, once per user), pro (200, $29.99, most popular), enterprise (1000, $99.99).</summary>
    public static List<CreditPackage> Packages() =>
    [
        new() { Id = StarterPackageId, Name = "Starter", Description = "50 free credits to try every feature", Credits = 50, PriceCents = 0, Currency = "usd", IsFree = true, OncePerUser = true, SortOrder = 0 },
        new() { Id = "pro", Name = "Pro", Description = "200 credits for regular creators", Credits = 200, PriceCents = 2999, Currency = "usd", MostPopular = true, SortOrder = 1 },
        new() { Id = "enterprise", Name = "Enterprise", Description = "1000 credits for teams and heavy use", Credits = 1000, PriceCents = 9999, Currency = "usd", SortOrder = 2 },
    ];

    /// <summary>Creates the default volume discounts: pro 5% off from 1,000 credits, 10% from 5,000; enterprise 10% off from 5,000, 15% from 20,000.</summary>
    public static List<CreditPackageTier> PackageTiers() =>
    [
        new() { PackageId = "pro", MinCredits = 1_000, DiscountBasisPoints = 500 },
        new() { PackageId = "pro", MinCredits = 5_000, DiscountBasisPoints = 1_000 },
        new() { PackageId = "enterprise", MinCredits = 5_000, DiscountBasisPoints = 1_000 },
        new() { PackageId = "enterprise", MinCredits = 20_000, DiscountBasisPoints = 1_500 },
    ];

    /// <summary>Creates the default prices: video-generation hailuo 8, veo2 15; map-animation hailuo 5, veo2 10; image-generation default 3.</summary>
    public static List<FeaturePrice> FeaturePricing() =>
    [
        new() { Feature = "video-generation", Model = "hailuo", Credits = 8, Description = "Video generation with Hailuo" },
        new() { Feature = "video-generation", Model = "veo2", Credits = 15, Description = "Video generation with Veo 2" },
        new() { Feature = "map-animation", Model = "hailuo", Credits = 5, Description = "Map animation with Hailuo" },
        new() { Feature = "map-animation", Model = "veo2", Credits = 10, Description = "Map animation with Veo 2" },
        new() { Feature = "image-generation", Model = "default", Credits = 3, Description = "Image generation" },
    ];
}
