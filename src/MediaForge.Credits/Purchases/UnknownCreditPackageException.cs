namespace MediaForge.Credits;

/// <summary>Thrown when a package id names no active package of the kind asked for.</summary>
public sealed class UnknownCreditPackageException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="packageId">The package id asked for.</param>
    /// <param name="detail">What kind of package was expected.</param>
    public UnknownCreditPackageException(string packageId, string detail)
        : base($"No active {detail} package '{packageId}'.", "packageId")
    {
        PackageId = packageId;
    }

    /// <summary>The package id asked for.</summary>
    public string PackageId { get; }

    /// <summary>A stable error code for callers and problem details.</summary>
    public string ErrorCode => "unknown_package";
}
