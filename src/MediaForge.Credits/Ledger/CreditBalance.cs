namespace MediaForge.Credits;

/// <summary>A user's credit balance.</summary>
public sealed record CreditBalance
{
    /// <summary>The user id.</summary>
    public required string UserId { get; init; }

    /// <summary>Credits owned (the sum of the user's ledger).</summary>
    public required long Balance { get; init; }

    /// <summary>Credits that can be spent now: <see cref="Balance"/> minus credits held by reservations.</summary>
    public required long Available { get; init; }

    /// <summary>Whether the user is unlimited (an admin): nothing is deducted from them.</summary>
    public required bool IsUnlimited { get; init; }

    /// <summary>The next credits to expire, if any of the user's credits expire.</summary>
    public CreditExpiration? NextExpiration { get; init; }

    /// <summary>
    /// <see cref="Balance"/> split by category name (<see cref="CreditCategory.Name"/>): every category with credits,
    /// and <c>paid</c> always (the credits without a lot are paid ones). The parts add up to <see cref="Balance"/>.
    /// </summary>
    public IReadOnlyDictionary<string, long> Categories { get; init; } = new Dictionary<string, long>();

    /// <summary>Whether <paramref name="other"/> is the same balance: every property equal, <see cref="Categories"/> by content.</summary>
    /// <param name="other">The balance to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public bool Equals(CreditBalance? other) =>
        other is not null && UserId == other.UserId && Balance == other.Balance && Available == other.Available
        && IsUnlimited == other.IsUnlimited && Equals(NextExpiration, other.NextExpiration)
        && Categories.Count == other.Categories.Count
        && Categories.All(c => other.Categories.TryGetValue(c.Key, out var credits) && credits == c.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(UserId, Balance, Available, IsUnlimited, NextExpiration, Categories.Count);
}
