namespace MediaForge.Credits.Categories;

/// <summary>
/// The burn order of <see cref="CreditsOptions.CategoryPriorities"/>: the priority a grant's category gets, the category a
/// grant gets by its type, and which grants need a lot. Credits of <see cref="CreditCategory.Paid"/> without an expiry
/// need none: they are the account's rest (balance − Σ lot remaining), burnt with Paid's priority and no expiry.
/// </summary>
internal sealed class CreditBurnOrder(IOptions<CreditsOptions> options)
{
    /// <summary>The most categories a host may configure.</summary>
    public const int MaxCategories = 32;

    /// <summary>The highest priority.</summary>
    public const int MaxPriority = 1000;

    /// <summary>The priority of the account's rest: Paid's.</summary>
    public int RestPriority => PriorityOf(CreditCategory.Paid);

    /// <summary>The priority of <paramref name="category"/>.</summary>
    /// <exception cref="ArgumentException">The category has no priority in <see cref="CreditsOptions.CategoryPriorities"/>.</exception>
    public int PriorityOf(CreditCategory category) => options.Value.CategoryPriorities.TryGetValue(category.Name, out var priority)
        ? priority
        : throw new ArgumentException(
            $"Credit category '{category.Name}' has no priority: add it to {nameof(CreditsOptions)}.{nameof(CreditsOptions.CategoryPriorities)}.", nameof(category));

    /// <summary>
    /// The category of a grant whose caller named none: purchases and refunds of usage are paid; bonuses (free packages,
    /// sign-up and referral bonuses) and adjustments (admin grants) are promotional.
    /// </summary>
    public static CreditCategory DefaultFor(CreditTransactionType type) => type switch
    {
        CreditTransactionType.Bonus or CreditTransactionType.Adjustment => CreditCategory.Promotional,
        CreditTransactionType.Subscription => CreditCategory.Allowance,
        _ => CreditCategory.Paid,
    };

    /// <summary>Whether credits of <paramref name="category"/> expiring at <paramref name="expiresAt"/> get a lot (else they are the rest).</summary>
    public static bool NeedsLot(string category, DateTime expiresAt) =>
        expiresAt != CreditGrant.NoExpiry || !string.Equals(category, CreditCategory.Paid.Name, StringComparison.Ordinal);

    /// <summary>What is wrong with a configured burn order.</summary>
    public static IEnumerable<string> Failures(IDictionary<string, int> priorities)
    {
        const string name = nameof(CreditsOptions.CategoryPriorities);
        if (priorities.Count > MaxCategories)
        {
            yield return $"{name} holds at most {MaxCategories} categories (had {priorities.Count}).";
        }

        foreach (var (category, priority) in priorities)
        {
            if (!CreditCategory.TryFrom(category, out _))
            {
                yield return $"{name} has '{category}', which is not a category name (1 to {CreditCategory.MaxNameLength} ASCII letters, digits, '-' or '_', starting with a letter).";
            }

            if (priority is < 0 or > MaxPriority)
            {
                yield return $"{name}['{category}'] must be 0 to {MaxPriority} (was {priority}).";
            }
        }

        if (!priorities.ContainsKey(CreditCategory.Paid.Name))
        {
            yield return $"{name} needs a priority for '{CreditCategory.Paid.Name}' (the credits without a lot).";
        }
    }
}
