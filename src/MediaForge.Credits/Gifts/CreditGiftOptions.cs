namespace MediaForge.Credits;

/// <summary>Gifts (<see cref="CreditsOptions.Gifts"/>, configuration section <c>MediaForge:Credits:Gifts</c>).</summary>
public sealed class CreditGiftOptions
{
    /// <summary>Whether gifts work. Default <see langword="false"/>: every operation is refused with <see cref="CreditGiftError.GiftsDisabled"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The most credits one gift may hold: 1 to <see cref="CreditLimits.MaxAmount"/>. Default 10,000.</summary>
    public long MaxGiftAmount { get; set; } = 10_000;

    /// <summary>How long a gift stays redeemable when the sender names no expiry. Default 30 days.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The latest expiry a sender may name, from now. Default 365 days.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>The longest note, in characters. Default 280.</summary>
    public int MaxMessageLength { get; set; } = 280;

    /// <summary>Redemption attempts (right or wrong) one user may make per <see cref="RedeemWindow"/>. Default 10.</summary>
    public int RedeemAttemptsPerWindow { get; set; } = 10;

    /// <summary>The window of <see cref="RedeemAttemptsPerWindow"/>. Default 1 hour.</summary>
    public TimeSpan RedeemWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The path of the gift link, added to the host's public address with <c>?gift={code}</c>: default <c>/</c>. It
    /// starts with <c>/</c> and has no query or fragment.
    /// </summary>
    public string LinkPath { get; set; } = "/";
}
