namespace MediaForge.Credits.Storage;

/// <summary>
/// One version of the credit schema this database was brought to (table <c>credit_schema_versions</c>): written by
/// <c>InitializeCreditsAsync(createSchema: true)</c> when it creates the tables, by
/// <c>migrationBuilder.UpgradeCreditsSchema(from, to)</c> in a host's migration, and at start-up when a schema made
/// by a host's migrations is complete and its derived usage data matches the logs. The highest row is the version.
/// </summary>
internal sealed class CreditSchemaVersion
{
    /// <summary>The schema version.</summary>
    public int Version { get; set; }

    /// <summary>When the database was brought to it (UTC).</summary>
    public DateTime AppliedAt { get; set; }
}
