using MediaForge.Credits.Categories;
using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>
/// The category of granted credits: it sets their place in the burn order (<see cref="CreditsOptions.CategoryPriorities"/>)
/// and the split of a balance (<see cref="CreditBalance.Categories"/>). The library knows <see cref="Paid"/>,
/// <see cref="Promotional"/> and <see cref="Allowance"/>; a host may add its own by giving it a priority.
/// </summary>
[JsonConverter(typeof(CreditCategoryJsonConverter))]
public readonly struct CreditCategory : IEquatable<CreditCategory>
{
    /// <summary>The longest category name (the <c>credit_grants.category</c> column).</summary>
    public const int MaxNameLength = 32;

    private readonly string? name;

    private CreditCategory(string name) => this.name = name;

    /// <summary>Credits somebody paid for (purchases); by default spent last.</summary>
    public static CreditCategory Paid { get; } = new("paid");

    /// <summary>Credits given away (free packages, sign-up and referral bonuses, admin grants); by default spent before paid ones.</summary>
    public static CreditCategory Promotional { get; } = new("promotional");

    /// <summary>Credits a plan includes for a period (subscription allowances); by default spent first.</summary>
    public static CreditCategory Allowance { get; } = new("allowance");

    /// <summary>The name: 1 to <see cref="MaxNameLength"/> lower-case ASCII letters, digits, <c>-</c> or <c>_</c>, starting with a letter.</summary>
    public string Name => name ?? Paid.name!;

    /// <summary>A category by name (compared without case; stored lower-case).</summary>
    /// <param name="name">1 to <see cref="MaxNameLength"/> ASCII letters, digits, <c>-</c> or <c>_</c>, starting with a letter.</param>
    /// <exception cref="ArgumentException">The name is empty, too long or has other characters.</exception>
    public static CreditCategory From(string name)
    {
        if (!TryFrom(name, out var category))
        {
            throw new ArgumentException(
                $"A credit category is 1 to {MaxNameLength} ASCII letters, digits, '-' or '_', starting with a letter (was '{name}').", nameof(name));
        }

        return category;
    }

    /// <summary>A category by name, or <see langword="false"/> when the name is not a valid category name.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="category">The category, when valid.</param>
    /// <returns>Whether the name is valid.</returns>
    public static bool TryFrom(string? name, out CreditCategory category)
    {
        category = default;
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !char.IsAsciiLetter(name[0])
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        category = new CreditCategory(name.ToLowerInvariant());
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(CreditCategory other) => string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CreditCategory other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <summary>The name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Whether two categories are the same.</summary>
    /// <param name="left">One category.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether their names are equal.</returns>
    public static bool operator ==(CreditCategory left, CreditCategory right) => left.Equals(right);

    /// <summary>Whether two categories differ.</summary>
    /// <param name="left">One category.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether their names differ.</returns>
    public static bool operator !=(CreditCategory left, CreditCategory right) => !left.Equals(right);
}
