namespace MediaForge.Credits;

/// <summary>The outcome of <see cref="ICreditTeamService.StartPurchaseAsync"/>.</summary>
public sealed record CreditTeamPurchaseResult
{
    /// <summary>Whether the pending purchase was recorded.</summary>
    public bool Success => Error == CreditTeamError.None;

    /// <summary>Why not, or <see cref="CreditTeamError.None"/>.</summary>
    public required CreditTeamError Error { get; init; }

    /// <summary>
    /// The pending purchase: its <see cref="CreditPurchaseEntry.UserId"/> is the team wallet's account, which the
    /// fulfilment credits and a refund claws back from.
    /// </summary>
    public CreditPurchaseEntry? Purchase { get; init; }
}
