using System.Globalization;
using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// The volume part of a checkout: the request's <c>quantity</c> / <c>credits</c> checked (400 for junk or out of range,
/// 422 where volume is not sold), the line item's name, and the credits and quantity the session's metadata carries
/// back to fulfilment, which compares them with the pending purchase.
/// </summary>
internal static class StripeCheckoutVolume
{
    /// <summary>Metadata key of the credits the purchase grants.</summary>
    public const string CreditsKey = "credits";

    /// <summary>Metadata key of the packs bought (absent for a custom credit amount).</summary>
    public const string QuantityKey = "quantity";

    /// <summary>Whether the request asks for more than one pack of the ordinary price.</summary>
    public static bool IsVolume(int? quantity, long? credits) => !CreditVolumePricing.IsSinglePack(quantity ?? 1, credits);

    /// <summary>What is wrong with the request's figures before any package is looked up, or <see langword="null"/>.</summary>
    public static ProblemHttpResult? Junk(int? quantity, long? credits) =>
        quantity is < 1 ? Bad("invalid_quantity", "The quantity must be at least 1 pack.")
        : credits is < 1 ? Bad("invalid_credits", "A custom credit amount must be at least 1 credit.")
        : null;

    /// <summary>Why this package cannot be bought in this volume (bounds, free or once-per-user package, team), or <see langword="null"/>.</summary>
    public static ProblemHttpResult? Refusal(CreditPackage package, int? quantity, long? credits, string? teamId, CreditVolumeOptions options)
    {
        if (CreditVolumePricing.Refusal(package, quantity ?? 1, credits, options) is { } refusal)
        {
            return Problem(refusal);
        }

        return teamId is null ? null
            : CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "team_volume_not_supported", "A team's wallet is bought one pack at a time.",
                "Buy single packs for the team, or a volume purchase for yourself.");
    }

    /// <summary>The problem of a refused volume request: 422 where volume is not sold, else 400.</summary>
    public static ProblemHttpResult Problem(CreditVolumeException refusal) => refusal.ErrorCode == "volume_not_available"
        ? CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, refusal.ErrorCode, "This package is not sold in volume.", refusal.Message)
        : Bad(refusal.ErrorCode, refusal.Message);

    /// <summary>The line item's name: the pack, or what a volume purchase buys and its discount.</summary>
    public static string Name(CreditPackage package, CreditPurchaseEntry purchase, int discountBasisPoints)
    {
        var what = purchase.Quantity switch
        {
            1 => string.Create(CultureInfo.InvariantCulture, $"{package.Name} – {purchase.Credits} credits"),
            { } packs => string.Create(CultureInfo.InvariantCulture, $"{packs} × {package.Name} – {purchase.Credits} credits"),
            null => string.Create(CultureInfo.InvariantCulture, $"{package.Name} – {purchase.Credits} credits (custom amount)"),
        };
        return discountBasisPoints > 0 ? what + string.Create(CultureInfo.InvariantCulture, $", {discountBasisPoints / 100m:0.##}% volume discount") : what;
    }

    /// <summary>The metadata that names what the purchase grants.</summary>
    public static void Describe(Dictionary<string, string> metadata, CreditPurchaseEntry purchase)
    {
        metadata[CreditsKey] = purchase.Credits.ToString(CultureInfo.InvariantCulture);
        if (purchase.Quantity is { } quantity)
        {
            metadata[QuantityKey] = quantity.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The credits and quantity a paid session's metadata names, for fulfilment to compare with the purchase; false when
    /// either is there but not a number (nothing is then granted).
    /// </summary>
    public static bool TryReadClaim(Dictionary<string, string>? metadata, out long? credits, out int? quantity)
    {
        (credits, quantity) = (null, null);
        if (metadata?.GetValueOrDefault(CreditsKey) is { } creditsText)
        {
            if (!long.TryParse(creditsText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return false;
            }

            credits = parsed;
        }

        if (metadata?.GetValueOrDefault(QuantityKey) is { } quantityText)
        {
            if (!int.TryParse(quantityText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return false;
            }

            quantity = parsed;
        }

        return true;
    }

    private static ProblemHttpResult Bad(string code, string detail) =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, code, "The volume of the purchase is not accepted.", detail);
}
