namespace MediaForge.Credits.TopUps;

/// <summary>A wallet's auto top-up as its owner sees it (internal: the add-on answers it over HTTP).</summary>
internal sealed record CreditAutoTopUpSettings(
    string WalletId,
    bool Enabled,
    long Threshold,
    string? PackageId,
    long Credits,
    long PriceCents,
    string Currency,
    int MaxPerMonth,
    long MaxAmountPerMonthCents,
    bool HasPaymentMethod,
    bool Paused,
    int ConsecutiveFailures,
    int MonthCount,
    long MonthAmountCents);

/// <summary>What an owner asks to save.</summary>
internal sealed record CreditAutoTopUpChange(bool Enabled, long Threshold, string PackageId, int MaxPerMonth, long MaxAmountPerMonthCents);

/// <summary>Why settings were not saved.</summary>
internal enum CreditAutoTopUpError
{
    /// <summary>Saved.</summary>
    None,

    /// <summary>The wallet is a team the actor is not an active member of (or no such active team).</summary>
    TeamNotFound,

    /// <summary>The actor is a member but neither owner nor admin.</summary>
    Forbidden,

    /// <summary>No active, paid package has that id.</summary>
    PackageNotFound,

    /// <summary>The pack costs more than the monthly money cap: it could never be bought.</summary>
    CapBelowPrice,
}
