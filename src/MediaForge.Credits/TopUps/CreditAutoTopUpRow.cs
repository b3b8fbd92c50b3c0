namespace MediaForge.Credits.TopUps;

/// <summary>
/// A wallet's auto top-up (table <c>credit_auto_top_ups</c>): the owner's settings, the saved payment method, the
/// month's count and money (the cap is checked and counted by one conditional <c>UPDATE</c> of this row when a
/// deduction crosses the threshold), and the failures in a row.
/// </summary>
internal sealed class CreditAutoTopUpRow
{
    /// <summary>The wallet (account id: a user's, or <c>mf:team:{id}</c>).</summary>
    // Stryker disable once String : equivalent: both writers (CreditAutoTopUps.SaveAsync, SavePaymentMethodAsync) set it; a read fills it from its non-null column
    public string WalletId { get; set; } = "";

    /// <summary>Whether the owner turned it on.</summary>
    public bool Enabled { get; set; }

    /// <summary>A debit that takes the balance from this or more to less triggers one top-up.</summary>
    public long Threshold { get; set; }

    /// <summary>The package bought.</summary>
    public string PackageId { get; set; } = "";

    /// <summary>The package's credits when the settings were saved (what the owner agreed to).</summary>
    public long Credits { get; set; }

    /// <summary>The package's price when the settings were saved, in minor units of <see cref="Currency"/>.</summary>
    public long PriceCents { get; set; }

    /// <summary>The package's currency, lower case.</summary>
    public string Currency { get; set; } = "usd";

    /// <summary>The most top-ups per calendar month (UTC).</summary>
    public int MaxPerMonth { get; set; }

    /// <summary>The most money per calendar month (UTC), in minor units.</summary>
    public long MaxAmountPerMonthCents { get; set; }

    /// <summary>The payment provider's customer of the saved payment method.</summary>
    public string? CustomerId { get; set; }

    /// <summary>The saved payment method, charged off-session.</summary>
    public string? PaymentMethodId { get; set; }

    /// <summary>The first day (UTC) of the month <see cref="MonthCount"/> and <see cref="MonthAmountCents"/> count.</summary>
    public DateTime MonthStart { get; set; }

    /// <summary>Top-ups triggered in that month.</summary>
    public int MonthCount { get; set; }

    /// <summary>Money of the top-ups triggered in that month, in minor units.</summary>
    public long MonthAmountCents { get; set; }

    /// <summary>Failed charges since the last success.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>When it paused after too many failures (UTC); saving the settings again resumes it.</summary>
    public DateTime? PausedAt { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
