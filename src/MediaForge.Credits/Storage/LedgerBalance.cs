namespace MediaForge.Credits.Storage;

/// <summary>A balance as a conditional update returns it.</summary>
internal sealed class LedgerBalance
{
    public long Balance { get; set; }

    public DateTime? NextExpiryAt { get; set; }

    /// <summary>Whether the statement that took the credits also appended the ledger row and usage log.</summary>
    public bool Appended { get; set; }
}
