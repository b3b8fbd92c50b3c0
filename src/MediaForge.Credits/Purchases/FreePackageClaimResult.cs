namespace MediaForge.Credits;

/// <summary>The outcome of claiming a free package.</summary>
public sealed record FreePackageClaimResult
{
    /// <summary>Whether the credits were granted by this call (false: the user already had the package).</summary>
    public required bool Granted { get; init; }

    /// <summary>Credits the package grants.</summary>
    public required long Credits { get; init; }

    /// <summary>The user's balance now.</summary>
    public required long Balance { get; init; }

    /// <summary>The grant's ledger row (this call's or the user's earlier one); <see cref="Guid.Empty"/> when <see cref="EmailAlreadyClaimed"/>.</summary>
    public required Guid TransactionId { get; init; }

    /// <summary>
    /// Whether nothing was granted because another account with the same normalized e-mail already got the package
    /// (see <see cref="CreditsOptions.OneFreePackagePerEmail"/>).
    /// </summary>
    public bool EmailAlreadyClaimed { get; init; }
}
