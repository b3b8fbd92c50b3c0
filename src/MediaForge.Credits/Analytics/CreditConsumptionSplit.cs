namespace MediaForge.Credits;

/// <summary>
/// How much of the credits consumed in a range were free and how much were paid for. Rule ("free first"): per user,
/// consumption draws on the free credits (ledger rows of type <see cref="CreditTransactionType.Bonus"/>: the starter
/// pack, sign-up and promotional grants) granted before the end of the range, minus what the user consumed before the
/// range; the rest is paid (purchases, adjustments, refunds). Usage refunded later is not netted.
/// </summary>
public sealed record CreditConsumptionSplit
{
    /// <summary>The range asked for.</summary>
    public required CreditAnalyticsRange Range { get; init; }

    /// <summary>Credits consumed in the range (ledger rows of type <see cref="CreditTransactionType.Usage"/>).</summary>
    public required long CreditsConsumed { get; init; }

    /// <summary>The part of <see cref="CreditsConsumed"/> attributed to free credits.</summary>
    public required long FreeCredits { get; init; }

    /// <summary>The part of <see cref="CreditsConsumed"/> attributed to paid credits.</summary>
    public required long PaidCredits { get; init; }

    /// <summary>Users who consumed credits in the range.</summary>
    public required long Users { get; init; }

    /// <summary>Users who consumed only free credits in the range.</summary>
    public required long FreeOnlyUsers { get; init; }
}
