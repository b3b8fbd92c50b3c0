namespace MediaForge.Credits.Purchases;

/// <summary>The catalogue's packages as purchases and free claims read them.</summary>
internal static class CreditPackageRows
{
    public static string PackageKey(string packageId) => CreditOperationKeys.For("package", packageId);

    public static async Task<CreditPackage> FindAsync(DbContext db, string packageId, bool free, CancellationToken cancellationToken)
    {
        var id = CreditArguments.Name(packageId, nameof(packageId));
        return await db.Set<CreditPackage>().AsNoTracking()
            .FirstOrDefaultAsync(p => p.Id == id && p.IsActive && p.IsFree == free, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownCreditPackageException(packageId, free ? "free" : "paid");
    }

    /// <summary>Whether the user got the package by a purchase or claim other than <paramref name="except"/> (refunded ones count).</summary>
    public static Task<bool> BoughtAsync(DbContext db, string userId, string packageId, Guid? except, CancellationToken cancellationToken) =>
        db.Set<CreditPurchase>().AsNoTracking()
            .AnyAsync(p => p.UserId == userId && p.PackageId == packageId && p.TransactionId != null && p.Id != except, cancellationToken);

    /// <summary>The server's price of a volume purchase of <paramref name="package"/>, with its tiers as stored now.</summary>
    /// <exception cref="CreditVolumeException">Out of bounds, or not sold in volume.</exception>
    public static async Task<CreditVolumeQuote> QuoteAsync(DbContext db, CreditPackage package, int quantity, long? credits, CreditVolumeOptions options,
        CancellationToken cancellationToken)
    {
        if (CreditVolumePricing.Refusal(package, quantity, credits, options) is { } refusal)
        {
            throw refusal;
        }

        var tiers = await db.Set<CreditPackageTier>().AsNoTracking().Where(t => t.PackageId == package.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return CreditVolumePricing.Quote(package, tiers, quantity, credits);
    }
}
