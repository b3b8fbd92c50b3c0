namespace MediaForge.Credits.Storage.Schema;

/// <summary>What the database lacks of the credit model: whole tables, and columns of the tables it has.</summary>
/// <param name="MissingTables">Credit tables the database does not have (names as mapped, prefix included).</param>
/// <param name="MissingColumns">Columns (<c>table.column</c>) missing from credit tables it has.</param>
internal sealed record CreditsSchemaGaps(IReadOnlyList<string> MissingTables, IReadOnlyList<string> MissingColumns)
{
    /// <summary>
    /// Each upgrade step after version 1, in order: the version it brings the database to, what the version before it
    /// lacked (for the start-up message), and the tables and columns it adds (columns by name, on tables of earlier versions).
    /// </summary>
    private static readonly SchemaStep[] Steps =
    [
        new(2, "before the analytics roll-up", ["credit_usage_hours", CreditsSchema.VersionTable],
            ["profile_version", "requested_amount", "usage_count", "usage_credits", "last_usage_at", "first_usage_at", "cumulative_uses", "cumulative_credits"]),
        new(3, "before referrals", CreditsSchemaVersion3.Tables, []),
        new(4, "before gifts", [CreditsSchemaVersion4.Table], [CreditsSchemaVersion4.PurchaseColumn]),
        new(5, "before teams", CreditsSchemaVersion5.Tables, [CreditsSchemaVersion5.PurchaseColumn]),
        new(6, "before team spending", [], [CreditsSchemaVersion6.MemberColumn]),
        new(7, "before team hold limits", [], [CreditsSchemaVersion7.LimitColumn]),
        new(8, "before grant categories", [], CreditsSchemaVersion8.Columns),
        new(9, "before host events", CreditsSchemaVersion9.Tables, []),
        new(10, "before volume discounts", [CreditsSchemaVersion10.Table], [CreditsSchemaVersion10.PurchaseColumn]),
        new(11, "before subscriptions", CreditsSchemaVersion11.Tables, []),
        new(12, "before auto top-up", CreditsSchemaVersion12.Tables, []),
    ];

    public bool IsComplete => MissingTables.Count == 0 && MissingColumns.Count == 0;

    /// <summary>
    /// The version the database is at when it is one or more upgrade steps behind, or <see langword="null"/>: the
    /// version whose next step's tables or columns are missing, when everything missing was added by that step or later ones.
    /// </summary>
    public int? OlderVersion
    {
        get
        {
            for (var i = 0; i < Steps.Length; i++)
            {
                var later = Steps[i..];
                if (Steps[i].Lacks(this) && MissingTables.All(t => later.Any(s => s.AddedTable(t))) && MissingColumns.All(c => later.Any(s => s.AddedColumn(c))))
                {
                    return Steps[i].Version - 1;
                }
            }

            return null;
        }
    }

    /// <summary>What start-up says when the schema is not complete: what is missing, and which call or migration to run.</summary>
    public string Describe()
    {
        if (OlderVersion is { } older)
        {
            return $"The credit tables are at schema version {older} ({Steps[older - 1].Before}); this library needs version {CreditsSchema.CurrentVersion}."
                + $" Missing: {List(MissingTables.Concat(MissingColumns))}. Add an EF Core migration (dotnet ef migrations add UpgradeCreditsSchema)"
                + $" and call {CreditsSchema.UpgradeCall(older)} at the end of its Up (with schemaChangesGenerated: true if EF Core generated"
                + " the credit table, column and index changes in it), then apply it (dotnet ef database update, or Database.MigrateAsync()"
                + " before InitializeCreditsAsync). Without migrations: InitializeCreditsAsync(createSchema: true) upgrades it.";
        }

        var missing = MissingColumns.Count == 0 ? $"tables {List(MissingTables)}" : $"{List(MissingTables.Concat(MissingColumns))}";
        return $"The credit tables are missing from the database ({missing}). Production: map them into your context"
            + " (modelBuilder.ApplyCreditsModel() in OnModelCreating), add an EF Core migration (dotnet ef migrations add AddCredits)"
            + " and apply it (dotnet ef database update, or Database.MigrateAsync() before InitializeCreditsAsync)."
            + " Development and tests: InitializeCreditsAsync(createSchema: true) creates the missing credit tables.";
    }

    private static string List(IEnumerable<string> names) => string.Join(", ", names);

    /// <summary>One upgrade step: the version it brings a database to, and the tables and columns it adds.</summary>
    private sealed record SchemaStep(int Version, string Before, string[] Tables, string[] Columns)
    {
        public bool AddedTable(string table) => Tables.Any(t => table.EndsWith(t, StringComparison.Ordinal));

        public bool AddedColumn(string tableColumn) => Columns.Contains(tableColumn[(tableColumn.LastIndexOf('.') + 1)..], StringComparer.Ordinal);

        /// <summary>Whether the database lacks something this step adds.</summary>
        public bool Lacks(CreditsSchemaGaps gaps) => gaps.MissingTables.Any(AddedTable) || gaps.MissingColumns.Any(AddedColumn);
    }
}
