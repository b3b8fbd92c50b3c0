namespace MediaForge.Credits;

/// <summary>One of the users who consumed the most credits in a range.</summary>
public sealed record CreditTopUser
{
    /// <summary>The user id.</summary>
    public required string UserId { get; init; }

    /// <summary>The user's e-mail, if known.</summary>
    public string? Email { get; init; }

    /// <summary>The user's display name, if known.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Paid-for uses in the range.</summary>
    public required long Uses { get; init; }

    /// <summary>Credits deducted in the range.</summary>
    public required long Credits { get; init; }
}
