namespace MediaForge.Credits.Entities;

/// <summary>The price in credits of one AI feature with one model (table <c>feature_pricing</c>).</summary>
public sealed class FeaturePrice
{
    /// <summary>The feature, lower case (for example <c>video-generation</c>).</summary>
    public string Feature { get; set; } = "";

    /// <summary>The model, lower case (for example <c>veo2</c>; <c>default</c> when the feature has one price).</summary>
    public string Model { get; set; } = "";

    /// <summary>Credits charged per use.</summary>
    public long Credits { get; set; }

    /// <summary>Description shown to users.</summary>
    public string? Description { get; set; }

    /// <summary>Whether the feature can be used.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>When the row was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the row was last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
