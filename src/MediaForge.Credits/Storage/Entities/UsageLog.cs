namespace MediaForge.Credits.Entities;

/// <summary>One use of an AI feature (table <c>usage_logs</c>), written for every successful deduction, admins included.</summary>
public sealed class UsageLog
{
    /// <summary>The usage log id.</summary>
    public Guid Id { get; set; }

    /// <summary>The account that paid: the user's own, or a team wallet's (<c>mf:team:{teamId}</c>, see <see cref="MemberId"/>).</summary>
    public string UserId { get; set; } = "";

    /// <summary>
    /// On a team wallet's use, the member who used the feature (<see cref="UserId"/> is then the wallet's account);
    /// <see langword="null"/> for a use of the user's own credits.
    /// </summary>
    public string? MemberId { get; set; }

    /// <summary>The feature, lower case (for example <c>video-generation</c>).</summary>
    public string Feature { get; set; } = "";

    /// <summary>The model, lower case (for example <c>hailuo</c>).</summary>
    public string Model { get; set; } = "";

    /// <summary>Credits charged; 0 for unlimited (admin) users.</summary>
    public long CreditsUsed { get; set; }

    /// <summary>The price of the feature when it was used, also for unlimited users.</summary>
    public long Price { get; set; }

    /// <summary>Whether the user was unlimited (admin) at the time.</summary>
    public bool IsUnlimited { get; set; }

    /// <summary>The prompt, if the caller passed one.</summary>
    public string? Prompt { get; set; }

    /// <summary>Caller metadata as JSON, if any.</summary>
    public string? Metadata { get; set; }

    /// <summary>The ledger row of the charge; <see langword="null"/> for unlimited users.</summary>
    public Guid? TransactionId { get; set; }

    /// <summary>The caller's idempotency key; unique per user.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>When the feature was used (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// The user's charged (not unlimited) uses up to and including this one, in <see cref="CreatedAt"/> order (ties: in
    /// the order they were written); <see langword="null"/> for unlimited uses. Written by the ledger in the
    /// transaction of the use (a later-written use with an earlier time moves the running totals of the rows after it),
    /// so a user's uses in any time range are the difference of two rows' totals.
    /// </summary>
    public long? CumulativeUses { get; set; }

    /// <summary>
    /// The user's credits charged by uses up to and including this one (same order and rule as
    /// <see cref="CumulativeUses"/>); <see langword="null"/> for unlimited uses.
    /// </summary>
    public long? CumulativeCredits { get; set; }
}
