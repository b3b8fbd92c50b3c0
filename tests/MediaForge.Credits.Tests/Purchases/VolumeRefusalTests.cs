using MediaForge.Credits.Entities;
using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// What a refused volume request says (no database): the refusal names the package and the figure allowed, and each
/// bound accepts the value at it. The texts reach the buyer as the 400's detail.
/// </summary>
public sealed class VolumeRefusalTests
{
    private static readonly CreditPackage Pro = CreditsDefaults.Packages().Single(p => p.Id == "pro");
    private static readonly CreditPackage Enterprise = CreditsDefaults.Packages().Single(p => p.Id == "enterprise");
    private static readonly CreditVolumeOptions Bounds = new();

    [Theory]
    [InlineData(0, 499)]
    [InlineData(100, 0)]
    public void Refusal_PackageWithoutCreditsOrPrice_IsNotSoldInVolume(long credits, long priceCents)
    {
        var package = new CreditPackage { Id = "odd", Credits = credits, PriceCents = priceCents, Currency = "usd" };

        Assert.Equal("volume_not_available", CreditVolumePricing.Refusal(package, 2, null, Bounds)?.ErrorCode);
    }

    [Fact]
    public void Refusal_OncePerUserPackage_SaysSoByName()
    {
        var once = new CreditPackage { Id = "intro", Credits = 100, PriceCents = 499, OncePerUser = true };

        Assert.Equal("Package 'intro' is once per user: it is not sold in volume.", CreditVolumePricing.Refusal(once, 2, null, Bounds)?.Message);
    }

    [Fact]
    public void Refusal_FreePackage_SaysSoByName()
    {
        var free = new CreditPackage { Id = "gratis", Credits = 10, IsFree = true };

        Assert.Equal("Package 'gratis' is free: it is not sold in volume.", CreditVolumePricing.Refusal(free, 2, null, Bounds)?.Message);
    }

    [Fact]
    public void Refusal_QuantityAndCredits_SaysToGiveOneOfThem()
    {
        Assert.Equal("Give a quantity of packs or a custom credit amount, not both.", CreditVolumePricing.Refusal(Pro, 2, 400, Bounds)?.Message);
    }

    [Theory]
    [InlineData(11, 10_000, "The quantity must be 1 to 10 packs of 'enterprise'.")] // the credits bound is the lower
    [InlineData(101, 1_000_000, "The quantity must be 1 to 100 packs of 'enterprise'.")] // the quantity bound is the lower
    public void Refusal_InvalidQuantity_NamesTheMostPacksAllowed(int quantity, long maxCredits, string message)
    {
        Assert.Equal(message, CreditVolumePricing.Refusal(Enterprise, quantity, null, new CreditVolumeOptions { MaxCredits = maxCredits })?.Message);
    }

    [Fact]
    public void Refusal_PacksOfExactlyMaxCredits_AreAccepted()
    {
        Assert.Null(CreditVolumePricing.Refusal(Enterprise, 10, null, new CreditVolumeOptions { MaxCredits = 10_000 }));
    }

    [Fact]
    public void Refusal_InvalidCredits_NamesTheRange()
    {
        Assert.Equal("A custom amount of 'pro' is 200 to 1000000 credits.", CreditVolumePricing.Refusal(Pro, 1, 199, Bounds)?.Message);
    }

    [Fact]
    public void Refusal_AmountOfExactlyWhatOneCheckoutCharges_IsAccepted()
    {
        var dear = new CreditPackage { Id = "dear", Credits = 1, PriceCents = CreditVolumePricing.MaxAmountCents, Currency = "usd" };

        Assert.Null(CreditVolumePricing.Refusal(dear, 1, null, Bounds));
    }

    [Fact]
    public void Refusal_AmountTooLarge_NamesTheLimit()
    {
        var dear = new CreditPackage { Id = "dear", Credits = 1, PriceCents = CreditVolumePricing.MaxAmountCents + 1, Currency = "usd" };

        Assert.Equal("One checkout charges at most 99999999 minor units; buy fewer credits.", CreditVolumePricing.Refusal(dear, 1, null, Bounds)?.Message);
    }

    [Fact]
    public void Discount_TierOfExactly9000BasisPoints_Counts()
    {
        CreditPackageTier[] tiers = [new() { PackageId = "pro", MinCredits = 200, DiscountBasisPoints = CreditVolumePricing.MaxDiscountBasisPoints }];

        Assert.Equal(9_000, CreditVolumePricing.Discount(tiers, 1000));
    }

    [Fact]
    public void Discount_ZeroTierAboveARealOne_IsIgnored()
    {
        CreditPackageTier[] tiers = [new() { PackageId = "pro", MinCredits = 200, DiscountBasisPoints = 500 }, new() { PackageId = "pro", MinCredits = 400, DiscountBasisPoints = 0 }];

        Assert.Equal(500, CreditVolumePricing.Discount(tiers, 1000));
    }
}
