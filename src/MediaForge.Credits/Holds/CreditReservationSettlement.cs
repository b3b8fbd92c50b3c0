namespace MediaForge.Credits;

/// <summary>The outcome of capturing or releasing a hold.</summary>
public sealed record CreditReservationSettlement
{
    /// <summary>Whether the hold ended the way asked for (by this call, or by an earlier identical call: see <see cref="IsReplay"/>).</summary>
    public required bool Success { get; init; }

    /// <summary>Where the hold stands now; <see langword="null"/> when no hold has that id.</summary>
    public ReservationStatus? Status { get; init; }

    /// <summary>Credits charged by the capture (0 for a release).</summary>
    public long CreditsCharged { get; init; }

    /// <summary>The usage ledger row of a capture, if credits were charged.</summary>
    public Guid? TransactionId { get; init; }

    /// <summary>The user's balance after the settlement.</summary>
    public long? Balance { get; init; }

    /// <summary>Whether the hold had already ended this way before this call (nothing moved now).</summary>
    public bool IsReplay { get; init; }
}
