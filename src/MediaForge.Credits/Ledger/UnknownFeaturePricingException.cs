namespace MediaForge.Credits;

/// <summary>Thrown when no active price exists for a feature and model (a programming or configuration error).</summary>
public sealed class UnknownFeaturePricingException : ArgumentException
{
    /// <summary>Creates the exception for a feature and model.</summary>
    /// <param name="feature">The feature asked for.</param>
    /// <param name="model">The model asked for.</param>
    public UnknownFeaturePricingException(string feature, string model)
        : base($"No active price for feature '{feature}' with model '{model}'. Add a row to feature_pricing or fix the name.", "feature")
    {
        Feature = feature;
        Model = model;
    }

    /// <summary>The feature asked for.</summary>
    public string Feature { get; }

    /// <summary>The model asked for.</summary>
    public string Model { get; }

    /// <summary>A stable error code for callers and problem details.</summary>
    public string ErrorCode => "unknown_feature_pricing";
}
