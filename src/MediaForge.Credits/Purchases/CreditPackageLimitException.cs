namespace MediaForge.Credits;

/// <summary>
/// Thrown when a user asks to buy a package marked <see cref="Entities.CreditPackage.OncePerUser"/> that they already
/// bought. Nothing was recorded.
/// </summary>
public sealed class CreditPackageLimitException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="userId">The buyer.</param>
    /// <param name="packageId">The package.</param>
    public CreditPackageLimitException(string userId, string packageId)
        : base($"Package '{packageId}' can be bought once per user, and user '{userId}' already bought it.")
    {
        UserId = userId;
        PackageId = packageId;
    }

    /// <summary>The buyer.</summary>
    public string UserId { get; }

    /// <summary>The package.</summary>
    public string PackageId { get; }

    /// <summary>A stable error code for callers and problem details.</summary>
    public string ErrorCode => "already_purchased";
}
