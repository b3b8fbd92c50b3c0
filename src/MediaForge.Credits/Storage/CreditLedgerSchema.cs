using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// What every family of ledger statements (<see cref="CreditLedgerSql"/>) builds from: the tables and columns of the EF
/// model as the provider names them, and the SQL fragments more than one statement shares (the debit, the usage
/// counters, the running totals, the idempotency probe, the hourly roll-up).
/// </summary>
internal sealed class CreditLedgerSchema
{
    private readonly IRelationalCommandBuilderFactory commands;

    public CreditLedgerSchema(DbContext db)
    {
        Helper = db.GetService<ISqlGenerationHelper>();
        commands = db.GetService<IRelationalCommandBuilderFactory>();
        var provider = db.Database.ProviderName;
        IsSqlServer = provider?.EndsWith(".SqlServer", StringComparison.Ordinal) == true;
        IsSqlite = provider?.EndsWith(".Sqlite", StringComparison.Ordinal) == true;
        IsNpgsql = IsNpgsqlProvider(provider);
        IsMySql = IsMySqlProvider(provider);
        Accounts = new LedgerTableNames(db.Model, typeof(CreditAccount), Helper);
        Users = new LedgerTableNames(db.Model, typeof(CreditUser), Helper);
        Usage = new LedgerTableNames(db.Model, typeof(UsageLog), Helper);
        Ledger = new LedgerTableNames(db.Model, typeof(CreditTransaction), Helper);

        NextExpiry = Accounts.Column(nameof(CreditAccount.NextExpiryAt));
        Balance = Accounts.Column(nameof(CreditAccount.Balance));
        Reserved = Accounts.Column(nameof(CreditAccount.Reserved));
        Granted = Accounts.Column(nameof(CreditAccount.TotalGranted));
        Consumed = Accounts.Column(nameof(CreditAccount.TotalConsumed));
        UpdatedAt = Accounts.Column(nameof(CreditAccount.UpdatedAt));
        AccountUser = Accounts.Column(nameof(CreditAccount.UserId));
        UserId = Users.Column(nameof(CreditUser.Id));
        IsAdmin = Users.Column(nameof(CreditUser.IsAdmin));
        UsageCount = Accounts.Column(nameof(CreditAccount.UsageCount));
        UsageCredits = Accounts.Column(nameof(CreditAccount.UsageCredits));
        LastUsage = Accounts.Column(nameof(CreditAccount.LastUsageAt));
        EarliestUsage = Accounts.Column(nameof(CreditAccount.FirstUsageAt));

        (TransactionText, TransactionColumns) = Insert(Ledger);

        // The usage log statements: [with ledger row?, charged?]. See CreditAppendSql.
        UsageHourShards = IsSqlServer ? 0 : IsSqlite ? 1 : CreditUsageHour.Shards;
        UsageColumns = [.. Usage.EntityType.GetProperties().Where(p => p.Name is not (nameof(UsageLog.CumulativeUses) or nameof(UsageLog.CumulativeCredits)))];
        Hours = UsageHourShards == 0 ? null : new LedgerTableNames(db.Model, typeof(CreditUsageHour), Helper);
        HourColumns = Hours is null ? [] : [Hours.Property(nameof(CreditUsageHour.HourStart)), Hours.Property(nameof(CreditUsageHour.Shard))];
        LogUser = Usage.Column(nameof(UsageLog.UserId));
        LogAt = Usage.Column(nameof(UsageLog.CreatedAt));
        CumulativeUses = Usage.Column(nameof(UsageLog.CumulativeUses));
        CumulativeCredits = Usage.Column(nameof(UsageLog.CumulativeCredits));
        UsageColumnList = string.Join(", ", UsageColumns.Select(p => Usage.Column(p.Name)));
    }

    public ISqlGenerationHelper Helper { get; }

    public bool IsSqlServer { get; }

    public bool IsSqlite { get; }

    public bool IsNpgsql { get; }

    /// <summary>
    /// MariaDB / MySQL through MySql.EntityFrameworkCore (chosen by provider name; the library references no MySQL
    /// package): no <c>UPDATE ... RETURNING</c> (<see cref="ReadBack"/>), <c>INSERT IGNORE</c> and
    /// <c>ON DUPLICATE KEY UPDATE</c> instead of <c>ON CONFLICT</c>, <c>FROM DUAL</c> before a <c>WHERE</c> without a table.
    /// </summary>
    public bool IsMySql { get; }

    /// <summary>Whether the EF provider of that name is PostgreSQL's (Npgsql).</summary>
    public static bool IsNpgsqlProvider(string? provider) => provider?.Contains("Npgsql", StringComparison.Ordinal) == true;

    /// <summary>Whether the EF provider of that name speaks MySQL's dialect (MariaDB is tested, decision 0042).</summary>
    public static bool IsMySqlProvider(string? provider) => provider?.StartsWith("MySql.", StringComparison.Ordinal) == true;

    /// <summary>
    /// Ends an <c>INSERT ... SELECT ... WHERE NOT EXISTS</c> so that a racing insert of the same key waits and then does
    /// nothing, instead of failing the transaction with a unique violation (PostgreSQL; SQLite writes one at a time;
    /// MySQL starts the statement with <see cref="InsertOrIgnore"/> instead).
    /// </summary>
    public string OnConflictDoNothing => IsNpgsql ? " ON CONFLICT DO NOTHING" : "";

    /// <summary>How such an insert starts: <c>INSERT IGNORE INTO</c> on MySQL (a duplicate key is a warning), else <c>INSERT INTO</c>.</summary>
    public string InsertOrIgnore => IsMySql ? "INSERT IGNORE INTO" : "INSERT INTO";

    /// <summary>What a <c>SELECT</c> of constants takes before its <c>WHERE</c>: MySQL wants a table (<c>FROM DUAL</c>).</summary>
    public string NoTable => IsMySql ? " FROM DUAL" : "";

    public LedgerTableNames Accounts { get; }

    public LedgerTableNames Users { get; }

    public LedgerTableNames Usage { get; }

    public LedgerTableNames Ledger { get; }

    /// <summary>The hourly roll-up's table; null where it is not written (<see cref="UsageHourShards"/> is 0).</summary>
    public LedgerTableNames? Hours { get; }

    public string NextExpiry { get; }

    public string Balance { get; }

    public string Reserved { get; }

    public string Granted { get; }

    public string Consumed { get; }

    public string UpdatedAt { get; }

    public string AccountUser { get; }

    public string UserId { get; }

    public string IsAdmin { get; }

    public string UsageCount { get; }

    public string UsageCredits { get; }

    public string LastUsage { get; }

    public string EarliestUsage { get; }

    public string LogUser { get; }

    public string LogAt { get; }

    public string CumulativeUses { get; }

    public string CumulativeCredits { get; }

    /// <summary>The ledger row insert (all its columns as parameters from 0) and those columns, in order.</summary>
    public string TransactionText { get; }

    /// <inheritdoc cref="TransactionText"/>
    public IProperty[] TransactionColumns { get; }

    /// <summary>The usage log columns an insert binds, in order (the running totals are computed in the statement).</summary>
    public IProperty[] UsageColumns { get; }

    /// <summary><see cref="UsageColumns"/>' column names, comma-separated.</summary>
    public string UsageColumnList { get; }

    /// <summary>The roll-up's hour start and shard, or none where it is not written.</summary>
    public IProperty[] HourColumns { get; }

    /// <summary>The roll-up's shards per hour, feature and model (see <see cref="CreditLedgerSql.UsageHourShards"/>).</summary>
    public int UsageHourShards { get; }

    public SqlStatement Statement(string text, IReadOnlyList<IProperty> parameters, IReadOnlyList<RelationalTypeMapping?>? mappings = null) =>
        SqlStatement.Create(text, parameters, Helper, commands, mappings);

    /// <summary>How a balance update returns the new balance and next expiry after the WHERE clause: <c>RETURNING</c> (not SQL Server).</summary>
    public string Returning(string column) => IsSqlServer || IsMySql ? ""
        : $" RETURNING {column} AS {Helper.DelimitIdentifier(nameof(LedgerBalance.Balance))}, {NextExpiry} AS {Helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt))}";

    /// <summary>
    /// MySQL, which has no <c>UPDATE ... RETURNING</c>: after the balance update of {user}'s row, in the same command and
    /// transaction and under the row lock the update took, the row read back, only when the update changed it
    /// (<c>ROW_COUNT()</c>, the update's matched rows: the connector asks for found rows). Elsewhere nothing.
    /// </summary>
    public string ReadBack(string user) => IsMySql
        ? $"; SELECT {Balance} AS {Helper.DelimitIdentifier(nameof(LedgerBalance.Balance))}, {NextExpiry} AS {Helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt))}"
            + $" FROM {Accounts.Table} WHERE {AccountUser} = {user} AND ROW_COUNT() > 0"
        : "";

    /// <summary>How a balance update returns them before the WHERE clause: <c>OUTPUT INSERTED</c> (SQL Server).</summary>
    public string Output(string column) => IsSqlServer
        ? $" OUTPUT INSERTED.{column} AS {Helper.DelimitIdentifier(nameof(LedgerBalance.Balance))}, INSERTED.{NextExpiry} AS {Helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt))}"
        : "";

    // The debit of {amount} at {now} from {user}'s account ({yes}: true). Refused when credits have lapsed and their
    // expiry is not written yet.
    public string DebitTake(string amount, string now) => $"{Balance} = {Balance} - {amount}, {Consumed} = {Consumed} + {amount}, {UpdatedAt} = {now}";

    public string DebitWhere(string user, string amount, string now, string yes) =>
        $" WHERE {AccountUser} = {user} AND {Balance} - {Reserved} >= {amount} AND ({NextExpiry} IS NULL OR {NextExpiry} > {now})"
        + $" AND NOT EXISTS (SELECT 1 FROM {Users.Table} WHERE {UserId} = {user} AND {IsAdmin} = {yes})";

    // The account's usage counters after a charged use at {at} of {credits} (only when {when} holds, if given).
    public string CountUse(string at, string credits, string? when)
    {
        string Counted(string value) => when is null ? value : $"CASE WHEN {when} THEN {value} ELSE 0 END";
        string If(string condition) => when is null ? condition : $"{when} AND ({condition})";
        return $"{UsageCount} = {UsageCount} + {Counted("1")}, {UsageCredits} = {UsageCredits} + {Counted(credits)},"
            + $" {LastUsage} = CASE WHEN {If($"{LastUsage} IS NULL OR {LastUsage} < {at}")} THEN {at} ELSE {LastUsage} END,"
            + $" {EarliestUsage} = CASE WHEN {If($"{EarliestUsage} IS NULL OR {EarliestUsage} > {at}")} THEN {at} ELSE {EarliestUsage} END";
    }

    // The user's charged uses timed after {at}: their running totals do not include a use written now.
    private string LaterThan(string user, string at) => $" WHERE {LogUser} = {user} AND {LogAt} > {at} AND {CumulativeUses} IS NOT NULL";

    public string LaterUses(string user, string at) => $" FROM {Usage.Table}{LaterThan(user, at)}";

    // No usage log of the user has the key yet: a deduction whose key was used is not debited, and the caller looks
    // up the earlier outcome (a replay) instead of running it again. Without a key the probe is not run at all (the
    // OR stops first), whatever plan the statement was given: a prepared statement's generic plan, made while the
    // usage logs were few, may read them all for a probe (measured: 4 ms a call at 50,000 logs).
    // A key that a grant of the user holds is used too: such a deduction is not debited either, so it cannot fail the
    // ledger's unique key and roll back the batch it joined (it is reported as a conflict).
    public string KeyUnused(string user, string key) =>
        $" AND ({key} IS NULL OR (NOT EXISTS (SELECT 1 FROM {Usage.Table} WHERE {LogUser} = {user} AND {Usage.Column(nameof(UsageLog.IdempotencyKey))} = {key})"
        + $" AND NOT EXISTS (SELECT 1 FROM {Ledger.Table} WHERE {Ledger.Column(nameof(CreditTransaction.UserId))} = {user} AND {Ledger.Column(nameof(CreditTransaction.IdempotencyKey))} = {key})))";

    // Those uses move up by the use written now (joining the tables in {from}, if given).
    public string ShiftLaterUses(string user, string at, string credits, string from = "") =>
        $"UPDATE {Usage.Table} SET {CumulativeUses} = {CumulativeUses} + 1, {CumulativeCredits} = {CumulativeCredits} + {credits}{from}{LaterThan(user, at)}";

    // The hourly roll-up's upsert around its values (a VALUES list or a SELECT): one row per use.
    public string RollUp(LedgerTableNames hours, string values)
    {
        string H(string name) => hours.Column(name);
        var key = $"{H(nameof(CreditUsageHour.HourStart))}, {H(nameof(CreditUsageHour.Feature))}, {H(nameof(CreditUsageHour.Model))}, {H(nameof(CreditUsageHour.IsUnlimited))}, {H(nameof(CreditUsageHour.Shard))}";
        if (IsMySql)
        {
            // MySQL: the key's unique index decides; VALUES(c) is the value the insert would have written.
            string AddNew(string name) => $"{H(name)} = {H(name)} + VALUES({H(name)})";
            return $"INSERT INTO {hours.Table} ({key}, {H(nameof(CreditUsageHour.Uses))}, {H(nameof(CreditUsageHour.Credits))}, {H(nameof(CreditUsageHour.Value))})"
                + $" {values} ON DUPLICATE KEY UPDATE {AddNew(nameof(CreditUsageHour.Uses))}, {AddNew(nameof(CreditUsageHour.Credits))}, {AddNew(nameof(CreditUsageHour.Value))}";
        }

        string Add(string name) => $"{H(name)} = h.{H(name)} + excluded.{H(name)}";
        return $"INSERT INTO {hours.Table} AS h ({key}, {H(nameof(CreditUsageHour.Uses))}, {H(nameof(CreditUsageHour.Credits))}, {H(nameof(CreditUsageHour.Value))})"
            + $" {values} ON CONFLICT ({key}) DO UPDATE SET {Add(nameof(CreditUsageHour.Uses))}, {Add(nameof(CreditUsageHour.Credits))}, {Add(nameof(CreditUsageHour.Value))}";
    }

    /// <summary>An insert of every column of <paramref name="names"/>' entity (parameters from 0) and those columns, in order.</summary>
    public static (string Text, IProperty[] Columns) Insert(LedgerTableNames names)
    {
        var properties = names.EntityType.GetProperties().ToArray();
        var columns = string.Join(", ", properties.Select(p => names.Column(p.Name)));
        var placeholders = string.Join(", ", properties.Select((_, i) => $"{{{i}}}"));
        return ($"INSERT INTO {names.Table} ({columns}) VALUES ({placeholders})", properties);
    }
}
