namespace MediaForge.Credits;

/// <summary>What <c>InitializeCreditsAsync</c> found and did: the configuration status of the credit system.</summary>
public sealed record CreditsSetupReport
{
    /// <summary>The EF Core provider in use.</summary>
    public required string Provider { get; init; }

    /// <summary>Whether this call created the credit tables.</summary>
    public required bool SchemaCreated { get; init; }

    /// <summary>Ids of the default packages this call inserted (missing ones only; edited rows are never overwritten).</summary>
    public required IReadOnlyList<string> PackagesInserted { get; init; }

    /// <summary>The <c>feature/model</c> prices this call inserted (missing ones only).</summary>
    public required IReadOnlyList<string> PricesInserted { get; init; }

    /// <summary>Active packages now in the database.</summary>
    public required int ActivePackages { get; init; }

    /// <summary>Active feature prices now in the database.</summary>
    public required int ActivePrices { get; init; }

    /// <summary>Unlimited users: configured ids plus users flagged admin in the database.</summary>
    public required int AdminUsers { get; init; }

    /// <summary>What is missing for the credit system to work; empty when it is ready.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Whether nothing is missing.</summary>
    public bool IsReady => Problems.Count == 0;
}
