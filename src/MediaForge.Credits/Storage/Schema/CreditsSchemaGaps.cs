namespace MediaForge.Credits.Storage.Schema;

/// <summary>What the database lacks of the credit model: whole tables, and columns of the tables it has.</summary>
/// <param name="MissingTables">Credit tables the database does not have (names as mapped, prefix included).</param>
/// <param name="MissingColumns">Columns (<c>table.column</c>) missing from credit tables it has.</param>
internal sealed record CreditsSchemaGaps(IReadOnlyList<string> MissingTables, IReadOnlyList<string> MissingColumns)
{
    /// <summary>The columns version 2 added to tables of version 1.</summary>
    private static readonly string[] Version2Columns =
        ["profile_version", "requested_amount", "usage_count", "usage_credits", "last_usage_at", "first_usage_at", "cumulative_uses", "cumulative_credits"];

    /// <summary>The tables version 2 added.</summary>
    private static readonly string[] Version2Tables = ["credit_usage_hours", CreditsSchema.VersionTable];

    /// <summary>The column version 4 added to a table of version 1 (<c>purchases.is_gift</c>).</summary>
    private static readonly string[] Version4Columns = [CreditsSchemaVersion4.PurchaseColumn];

    /// <summary>The column version 5 added to a table of version 1 (<c>purchases.purchased_by</c>).</summary>
    private static readonly string[] Version5Columns = [CreditsSchemaVersion5.PurchaseColumn];

    /// <summary>The column version 6 added to tables of version 1 (<c>usage_logs.member_id</c>, <c>credit_reservations.member_id</c>).</summary>
    private static readonly string[] Version6Columns = [CreditsSchemaVersion6.MemberColumn];

    /// <summary>The tables versions 3, 4, 5 and 11 added.</summary>
    // merge: the tables of versions 7 to 10 join this list and the version 4 and 5 checks below.
    private static readonly string[] AfterVersion2Tables =
        [.. CreditsSchemaVersion3.Tables, CreditsSchemaVersion4.Table, .. CreditsSchemaVersion5.Tables, .. CreditsSchemaVersion11.Tables];

    public bool IsComplete => MissingTables.Count == 0 && MissingColumns.Count == 0;

    /// <summary>Whether what is missing is exactly what versions 2 to 5 added: the database is at version 1.</summary>
    public bool IsVersion1 =>
        MissingColumns.Any(c => Version2Columns.Contains(Column(c), StringComparer.Ordinal))
        && MissingColumns.All(c => Version2Columns.Contains(Column(c), StringComparer.Ordinal) || IsAfterVersion2Column(c))
        && MissingTables.All(t => AddedBy(t, [.. Version2Tables, .. AfterVersion2Tables]));

    /// <summary>Whether what is missing is exactly (some of) what versions 3 to 5 added, a version 3 table among it: the database is at version 2.</summary>
    public bool IsVersion2 => MissingTables.Any(t => AddedBy(t, CreditsSchemaVersion3.Tables)) && IsAfterVersion2;

    /// <summary>Whether what is missing is exactly (some of) what versions 4 and 5 added: the database is at version 3 (before gifts).</summary>
    public bool IsVersion3 => !MissingTables.Any(t => AddedBy(t, CreditsSchemaVersion3.Tables)) && IsAfterVersion2;

    /// <summary>Whether what is missing is exactly (some of) what version 5 added, its column among it: the database is at version 4 (before teams).</summary>
    public bool IsVersion4 =>
        MissingColumns.Any(c => Version5Columns.Contains(Column(c), StringComparer.Ordinal))
        && MissingColumns.All(c => Version5Columns.Contains(Column(c), StringComparer.Ordinal) || Version6Columns.Contains(Column(c), StringComparer.Ordinal))
        && MissingTables.All(t => AddedBy(t, [.. CreditsSchemaVersion5.Tables, .. CreditsSchemaVersion11.Tables]));

    /// <summary>Whether what is missing is exactly the columns version 6 added: the database is at version 5 (before team spending).</summary>
    public bool IsVersion5 =>
        MissingTables.All(t => AddedBy(t, CreditsSchemaVersion11.Tables))
        && MissingColumns.Count > 0 && MissingColumns.All(c => Version6Columns.Contains(Column(c), StringComparer.Ordinal));

    /// <summary>Whether what is missing is exactly (some of) the tables version 11 added: the database is at version 10 (before subscriptions).</summary>
    public bool IsVersion10 =>
        MissingColumns.Count == 0 && MissingTables.Count > 0 && MissingTables.All(t => AddedBy(t, CreditsSchemaVersion11.Tables));

    /// <summary>The version the database is at when it is one or more upgrade steps behind, or <see langword="null"/>.</summary>
    public int? OlderVersion => IsVersion1 ? 1 : IsVersion2 ? 2 : IsVersion3 ? 3 : IsVersion4 ? 4 : IsVersion5 ? 5 : IsVersion10 ? 10 : null;

    /// <summary>
    /// Nothing of version 2 is missing: the column of version 4 is (with at most the column of version 5), and at most
    /// the tables of versions 3, 4 and 5.
    /// </summary>
    private bool IsAfterVersion2 =>
        MissingColumns.Any(c => Version4Columns.Contains(Column(c), StringComparer.Ordinal))
        && MissingColumns.All(IsAfterVersion2Column)
        && MissingTables.All(t => AddedBy(t, AfterVersion2Tables));

    /// <summary>What start-up says when the schema is not complete: what is missing, and which call or migration to run.</summary>
    public string Describe()
    {
        if (IsVersion3)
        {
            return $"The credit tables are at schema version 3 (before gifts); this library needs version {CreditsSchema.CurrentVersion}."
                + $" Missing: {List(MissingTables.Concat(MissingColumns))}. Add an EF Core migration (dotnet ef migrations add UpgradeCreditsSchema)"
                + $" and call {CreditsSchema.UpgradeCall(3)} at the end of its Up (with schemaChangesGenerated: true if EF Core generated"
                + " the gift table and the purchases.is_gift column in it), then apply it. Without migrations: InitializeCreditsAsync(createSchema: true) upgrades it.";
        }

        if (IsVersion4)
        {
            return $"The credit tables are at schema version 4 (before teams); this library needs version {CreditsSchema.CurrentVersion}."
                + $" Missing: {List(MissingTables.Concat(MissingColumns))}. Add an EF Core migration (dotnet ef migrations add UpgradeCreditsSchema)"
                + $" and call {CreditsSchema.UpgradeCall(4)} at the end of its Up (with schemaChangesGenerated: true if EF Core generated"
                + " the team tables and the purchases.purchased_by column in it), then apply it. Without migrations: InitializeCreditsAsync(createSchema: true) upgrades it.";
        }

        if (IsVersion5)
        {
            return $"The credit tables are at schema version 5 (before team spending); this library needs version {CreditsSchema.CurrentVersion}."
                + $" Missing: {List(MissingColumns)}. Add an EF Core migration (dotnet ef migrations add UpgradeCreditsSchema)"
                + $" and call {CreditsSchema.UpgradeCall(5)} at the end of its Up (with schemaChangesGenerated: true if EF Core generated"
                + " the member_id columns in it), then apply it. Without migrations: InitializeCreditsAsync(createSchema: true) upgrades it.";
        }

        if (IsVersion10)
        {
            return $"The credit tables are at schema version 10 (before subscriptions); this library needs version {CreditsSchema.CurrentVersion}."
                + $" Missing: {List(MissingTables)}. Add an EF Core migration (dotnet ef migrations add UpgradeCreditsSchema)"
                + $" and call {CreditsSchema.UpgradeCall(10)} at the end of its Up (with schemaChangesGenerated: true if EF Core generated"
                + " the subscription tables in it), then apply it. Without migrations: InitializeCreditsAsync(createSchema: true) upgrades it.";
        }

        if (IsVersion2)
        {
            return $"The credit tables are at schema version 2 (before referrals); this library needs version {CreditsSchema.CurrentVersion}."
                + $" Missing: {List(MissingTables.Concat(MissingColumns))}. Add an EF Core migration (dotnet ef migrations add UpgradeCreditsSchema)"
                + $" and call {CreditsSchema.UpgradeCall(2)} at the end of its Up (with schemaChangesGenerated: true if EF Core generated"
                + " the referral, gift and team tables and the purchases columns in it), then apply it. Without migrations: InitializeCreditsAsync(createSchema: true) upgrades it.";
        }

        if (IsVersion1)
        {
            return $"The credit tables are at schema version 1 (before the analytics roll-up); this library needs version {CreditsSchema.CurrentVersion}."
                + $" Missing: {List(MissingTables.Concat(MissingColumns))}. Add an EF Core migration (dotnet ef migrations add UpgradeCreditsSchema)"
                + $" and call {CreditsSchema.UpgradeCall(1)} at the end of its Up (with schemaChangesGenerated: true if EF Core generated"
                + " the credit column and table changes in it), then apply it (dotnet ef database update, or Database.MigrateAsync()"
                + " before InitializeCreditsAsync). Without migrations: InitializeCreditsAsync(createSchema: true) upgrades it.";
        }

        var missing = MissingColumns.Count == 0 ? $"tables {List(MissingTables)}" : $"{List(MissingTables.Concat(MissingColumns))}";
        return $"The credit tables are missing from the database ({missing}). Production: map them into your context"
            + " (modelBuilder.ApplyCreditsModel() in OnModelCreating), add an EF Core migration (dotnet ef migrations add AddCredits)"
            + " and apply it (dotnet ef database update, or Database.MigrateAsync() before InitializeCreditsAsync)."
            + " Development and tests: InitializeCreditsAsync(createSchema: true) creates the missing credit tables.";
    }

    private static bool IsAfterVersion2Column(string tableColumn) =>
        Version4Columns.Contains(Column(tableColumn), StringComparer.Ordinal) || Version5Columns.Contains(Column(tableColumn), StringComparer.Ordinal)
        || Version6Columns.Contains(Column(tableColumn), StringComparer.Ordinal);

    private static string Column(string tableColumn) => tableColumn[(tableColumn.LastIndexOf('.') + 1)..];

    private static bool AddedBy(string table, string[] added) => added.Any(v => table.EndsWith(v, StringComparison.Ordinal));

    private static string List(IEnumerable<string> names) => string.Join(", ", names);
}
