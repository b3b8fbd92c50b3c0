using System.Globalization;

namespace MediaForge.Credits.Purchases;

/// <summary>
/// What fulfilment compares with the pending purchase row (the server's own computation when the purchase started):
/// the amount and currency paid, and the package, credits and quantity the payment's metadata names.
/// </summary>
internal static class CreditPurchaseChecks
{
    /// <summary>Why the payment does not pay for the purchase, or <see langword="null"/> when it does.</summary>
    public static string? Mismatch(CreditPurchase purchase, long amountPaidCents, string currency, string? packageId, long? credits, int? quantity) =>
        amountPaidCents != purchase.AmountCents ? $"amount {amountPaidCents} paid, {purchase.AmountCents} expected"
        : !string.Equals(currency, purchase.Currency, StringComparison.OrdinalIgnoreCase) ? $"currency '{currency}' paid, '{purchase.Currency}' expected"
        : packageId is not null && !string.Equals(packageId, purchase.PackageId, StringComparison.OrdinalIgnoreCase) ? $"package '{packageId}' paid, '{purchase.PackageId}' expected"
        : credits is not null && credits != purchase.Credits ? $"credits {credits} paid for, {purchase.Credits} expected"
        : credits is null && purchase.Quantity != 1 ? $"a volume purchase of {purchase.Credits} credits, but the payment names no credits"
        : quantity is not null && quantity != purchase.Quantity ? $"quantity {quantity} paid for, {Quantity(purchase.Quantity)} expected"
        : null;

    /// <summary>The grant's description in the ledger: the pack, or the packs or custom amount of a volume purchase.</summary>
    public static string Description(CreditPurchase purchase) => purchase.Quantity switch
    {
        1 => $"{purchase.PackageId} pack purchase",
        { } packs => string.Create(CultureInfo.InvariantCulture, $"{packs} × {purchase.PackageId} pack purchase"),
        null => string.Create(CultureInfo.InvariantCulture, $"{purchase.Credits} credits of {purchase.PackageId} (custom amount) purchase"),
    };

    private static string Quantity(int? quantity) => quantity?.ToString(CultureInfo.InvariantCulture) ?? "a custom amount";
}
