namespace MediaForge.Credits.Entities;

/// <summary>A credit pack users can buy or claim (table <c>credit_packages</c>).</summary>
public sealed class CreditPackage
{
    /// <summary>Stable package id, lower case (for example <c>pro</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>Display name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Short description shown to buyers.</summary>
    public string? Description { get; set; }

    /// <summary>Credits granted by one pack.</summary>
    public long Credits { get; set; }

    /// <summary>Price in minor units of <see cref="Currency"/> (cents); 0 for free packs.</summary>
    public long PriceCents { get; set; }

    /// <summary>ISO 4217 currency code, lower case (for example <c>usd</c>).</summary>
    public string Currency { get; set; } = "usd";

    /// <summary>Whether the pack is free (claimed, not bought).</summary>
    public bool IsFree { get; set; }

    /// <summary>Whether one user can get the pack only once.</summary>
    public bool OncePerUser { get; set; }

    /// <summary>Whether the pack is highlighted as the most popular.</summary>
    public bool MostPopular { get; set; }

    /// <summary>Whether the pack is offered.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Days the pack's credits live after the grant; <see langword="null"/>: purchased credits never expire, free ones follow <c>BonusCreditLifetime</c>.</summary>
    public int? CreditLifetimeDays { get; set; }

    /// <summary>Display order, ascending.</summary>
    public int SortOrder { get; set; }

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row was last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
