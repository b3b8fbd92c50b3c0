namespace MediaForge.Credits;

/// <summary>One ledger row as callers see it.</summary>
public sealed record CreditLedgerEntry
{
    /// <summary>The transaction id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Signed amount: positive for grants, negative for usage.</summary>
    public required long Amount { get; init; }

    /// <summary>The balance right after this movement.</summary>
    public required long BalanceAfter { get; init; }

    /// <summary>The kind of movement.</summary>
    public required CreditTransactionType Type { get; init; }

    /// <summary>Human-readable description.</summary>
    public required string Description { get; init; }

    /// <summary>Metadata as JSON, if any.</summary>
    public string? Metadata { get; init; }

    /// <summary>External reference (Stripe session id, Svix message id...), if any.</summary>
    public string? Reference { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The caller's view of a stored row.</summary>
    internal static CreditLedgerEntry From(CreditTransaction t) => new()
    {
        Id = t.Id,
        Amount = t.Amount,
        BalanceAfter = t.BalanceAfter,
        Type = t.Type,
        Description = t.Description,
        Metadata = t.Metadata,
        Reference = t.Reference,
        CreatedAt = CreditAttempts.Utc(t.CreatedAt),
    };
}
