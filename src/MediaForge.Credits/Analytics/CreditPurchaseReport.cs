namespace MediaForge.Credits;

/// <summary>
/// Purchases over a range. The funnel (<see cref="CheckoutsStarted"/> to <see cref="Refunded"/>) counts paid
/// checkouts <em>created</em> in the range by their status now; revenue, the series and package popularity count
/// purchases <em>completed</em> in the range (a purchase refunded since is no longer counted).
/// </summary>
public sealed record CreditPurchaseReport
{
    /// <summary>The range asked for.</summary>
    public required CreditAnalyticsRange Range { get; init; }

    /// <summary>Paid checkouts created in the range (free claims excluded).</summary>
    public required long CheckoutsStarted { get; init; }

    /// <summary>Of those, completed (paid and granted).</summary>
    public required long Completed { get; init; }

    /// <summary>Of those, still waiting for payment.</summary>
    public required long Pending { get; init; }

    /// <summary>Of those, failed payments.</summary>
    public required long Failed { get; init; }

    /// <summary>Of those, sessions that expired unpaid.</summary>
    public required long Expired { get; init; }

    /// <summary>Of those, refunded.</summary>
    public required long Refunded { get; init; }

    /// <summary>Money refunded for those, per currency.</summary>
    public required IReadOnlyList<CreditRevenueTotal> RefundedAmounts { get; init; }

    /// <summary><see cref="Completed"/> divided by <see cref="CheckoutsStarted"/> (0 when none started).</summary>
    public required double ConversionRate { get; init; }

    /// <summary>Credits given back to users in the range (ledger rows of type <see cref="CreditTransactionType.Refund"/>).</summary>
    public required long RefundedCredits { get; init; }

    /// <summary>Free packages claimed in the range.</summary>
    public required long FreeClaims { get; init; }

    /// <summary>Revenue of purchases completed in the range, per currency.</summary>
    public required IReadOnlyList<CreditRevenueTotal> Revenue { get; init; }

    /// <summary>Completed purchases per package and currency (free claims included), most purchases first.</summary>
    public required IReadOnlyList<CreditPackagePopularity> Packages { get; init; }

    /// <summary>Revenue per bucket, package and currency, oldest first (paid purchases only).</summary>
    public required IReadOnlyList<CreditRevenuePoint> Series { get; init; }
}
