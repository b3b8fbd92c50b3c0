namespace MediaForge.Credits;

/// <summary>One page of a user's history, newest first.</summary>
/// <typeparam name="T">The entry type.</typeparam>
public sealed record CreditPage<T>
{
    /// <summary>The entries of this page, newest first.</summary>
    public required IReadOnlyList<T> Items { get; init; }

    /// <summary>The 1-based page number.</summary>
    public required int Page { get; init; }

    /// <summary>The page size asked for.</summary>
    public required int PageSize { get; init; }

    /// <summary>The number of entries over all pages.</summary>
    public required long TotalCount { get; init; }
}
