using MediaForge.Credits.Entities;
using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// The one price computation of volume purchases (no database): the tier reached by the credits, the whole amount
/// discounted, rounded half up to the minor unit once; and the bounds that refuse junk before anything is priced.
/// </summary>
public sealed class VolumePricingTests
{
    private static readonly CreditPackage Pro = CreditsDefaults.Packages().Single(p => p.Id == "pro");
    private static readonly CreditPackage Enterprise = CreditsDefaults.Packages().Single(p => p.Id == "enterprise");
    private static readonly CreditPackage Starter = CreditsDefaults.Packages().Single(p => p.Id == CreditsDefaults.StarterPackageId);
    private static readonly List<CreditPackageTier> Tiers = CreditsDefaults.PackageTiers();
    private static readonly CreditVolumeOptions Bounds = new();

    private static CreditVolumeQuote Quote(CreditPackage package, int quantity = 1, long? credits = null) =>
        CreditVolumePricing.Quote(package, Tiers.Where(t => t.PackageId == package.Id), quantity, credits);

    [Theory]
    [InlineData(1, 200, 0, 2999)]
    [InlineData(4, 800, 0, 11996)]
    [InlineData(5, 1000, 500, 14245)] // 14,995 × 0.95 = 14,245.25
    [InlineData(24, 4800, 500, 68377)] // 71,976 × 0.95 = 68,377.2
    [InlineData(25, 5000, 1000, 67478)] // 74,975 × 0.9 = 67,477.5, half up
    public void Quote_ProPacks_TakeTheTierTheirCreditsReach(int quantity, long credits, int discount, long amount)
    {
        var quote = Quote(Pro, quantity);

        Assert.Equal((quantity, credits, discount, amount, quantity * 2999L), (quote.Quantity, quote.Credits, quote.DiscountBasisPoints, quote.AmountCents, quote.FullAmountCents));
    }

    [Theory]
    [InlineData(201, 0, 3014)] // 3,013.995 half up
    [InlineData(999, 0, 14980)] // 14,980.005
    [InlineData(1000, 500, 14245)]
    [InlineData(4999, 500, 71212)] // 74,960.005 × 0.95 = 71,212.00475
    [InlineData(5000, 1000, 67478)]
    public void Quote_ProCustomAmount_IsPricedPerCreditAtTheTierReached(long credits, int discount, long amount)
    {
        var quote = Quote(Pro, credits: credits);

        Assert.Equal(((int?)null, credits, discount, amount), (quote.Quantity, quote.Credits, quote.DiscountBasisPoints, quote.AmountCents));
    }

    [Theory]
    [InlineData(4, 0, 39996)]
    [InlineData(5, 1000, 44996)] // 49,995 × 0.9 = 44,995.5, half up
    [InlineData(19, 1000, 170983)] // 189,981 × 0.9 = 170,982.9
    [InlineData(20, 1500, 169983)] // 199,980 × 0.85
    public void Quote_EnterprisePacks_TakeTheHighestTierReached(int quantity, int discount, long amount)
    {
        var quote = Quote(Enterprise, quantity);

        Assert.Equal((discount, amount), (quote.DiscountBasisPoints, quote.AmountCents));
    }

    [Fact]
    public void Quote_TenPercentTier_SavesTheDifferenceToTheFullPrice()
    {
        var quote = Quote(Pro, 25);

        Assert.Equal((74975L, 67478L, 7497L), (quote.FullAmountCents, quote.AmountCents, quote.SavingCents));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(9001)]
    [InlineData(10_000)]
    [InlineData(int.MaxValue)]
    public void Discount_TierRowOutsideOneTo9000BasisPoints_IsIgnored(int discount)
    {
        CreditPackageTier[] tiers = [new() { PackageId = "pro", MinCredits = 200, DiscountBasisPoints = discount }];

        Assert.Equal(0, CreditVolumePricing.Discount(tiers, 1000));
    }

    [Theory]
    [InlineData(0, null, "invalid_quantity")]
    [InlineData(-1, null, "invalid_quantity")]
    [InlineData(101, null, "invalid_quantity")]
    [InlineData(int.MaxValue, null, "invalid_quantity")]
    [InlineData(int.MinValue, null, "invalid_quantity")]
    [InlineData(1, 199L, "invalid_credits")]
    [InlineData(1, 0L, "invalid_credits")]
    [InlineData(1, -200L, "invalid_credits")]
    [InlineData(1, 1_000_001L, "invalid_credits")]
    [InlineData(1, long.MaxValue, "invalid_credits")]
    [InlineData(1, long.MinValue, "invalid_credits")]
    [InlineData(2, 400L, "quantity_and_credits")]
    public void Refusal_OutOfBoundsOrJunk_NamesTheFigure(int quantity, long? credits, string code)
    {
        Assert.Equal(code, CreditVolumePricing.Refusal(Pro, quantity, credits, Bounds)?.ErrorCode);
    }

    [Theory]
    [InlineData(100, null)]
    [InlineData(1, 200L)]
    [InlineData(1, 1_000_000L)]
    public void Refusal_TheBoundsThemselves_AreAccepted(int quantity, long? credits)
    {
        Assert.Null(CreditVolumePricing.Refusal(Pro, quantity, credits, Bounds));
    }

    [Fact]
    public void Refusal_PacksOverMaxCredits_IsAnInvalidQuantity()
    {
        Assert.Equal("invalid_quantity", CreditVolumePricing.Refusal(Enterprise, 11, null, new CreditVolumeOptions { MaxCredits = 10_000 })?.ErrorCode);
    }

    [Fact]
    public void Refusal_AmountOverWhatOneCheckoutCharges_IsRefused()
    {
        var dear = new CreditPackage { Id = "dear", Credits = 1, PriceCents = 1_000_000, Currency = "usd" };

        Assert.Equal(("amount_too_large", "amount_too_large"), (CreditVolumePricing.Refusal(dear, 100, null, Bounds)?.ErrorCode,
            CreditVolumePricing.Refusal(dear, 1, CreditLimits.MaxAmount, new CreditVolumeOptions { MaxCredits = CreditLimits.MaxAmount })?.ErrorCode));
    }

    [Fact]
    public void Refusal_LargestBoundsWithTheDearestPack_DoesNotOverflow()
    {
        var dear = new CreditPackage { Id = "dear", Credits = 1, PriceCents = long.MaxValue, Currency = "usd" };

        Assert.Equal("amount_too_large", CreditVolumePricing.Refusal(dear, 1, CreditLimits.MaxAmount, new CreditVolumeOptions { MaxCredits = CreditLimits.MaxAmount })?.ErrorCode);
    }

    [Fact]
    public void Refusal_FreeOrOncePerUserPackage_IsNotSoldInVolume()
    {
        var once = new CreditPackage { Id = "intro", Credits = 100, PriceCents = 499, OncePerUser = true };

        Assert.Equal(("volume_not_available", "volume_not_available"),
            (CreditVolumePricing.Refusal(Starter, 2, null, Bounds)?.ErrorCode, CreditVolumePricing.Refusal(once, 2, null, Bounds)?.ErrorCode));
    }
}
