using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// The one provider-specific seam: the SQL of the conditional balance updates and the ledger inserts, generated from
/// the EF model (so table prefixes, schemas and column names always match) and run through EF's command pipeline
/// (logging, interceptors). Standard SQL everywhere except how the new balance comes back: <c>RETURNING</c> on SQLite
/// and PostgreSQL, <c>OUTPUT INSERTED</c> on SQL Server.
/// </summary>
internal sealed class CreditLedgerSql
{
    private static readonly ConditionalWeakTable<IModel, CreditLedgerSql> Cache = new();

    private CreditLedgerSql(DbContext db)
    {
        var helper = db.GetService<ISqlGenerationHelper>();
        var commands = db.GetService<IRelationalCommandBuilderFactory>();
        SqlStatement Statement(string text, IReadOnlyList<IProperty> parameters, IReadOnlyList<RelationalTypeMapping?>? mappings = null) =>
            SqlStatement.Create(text, parameters, helper, commands, mappings);
        var sqlServer = db.Database.ProviderName?.EndsWith(".SqlServer", StringComparison.Ordinal) == true;
        var accounts = new TableNames(db.Model, typeof(CreditAccount), helper);
        var users = new TableNames(db.Model, typeof(CreditUser), helper);

        var nextExpiry = accounts.Column(nameof(CreditAccount.NextExpiryAt));
        string Returning(string column) => sqlServer ? ""
            : $" RETURNING {column} AS {helper.DelimitIdentifier(nameof(LedgerBalance.Balance))}, {nextExpiry} AS {helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt))}";
        string Output(string column) => sqlServer
            ? $" OUTPUT INSERTED.{column} AS {helper.DelimitIdentifier(nameof(LedgerBalance.Balance))}, INSERTED.{nextExpiry} AS {helper.DelimitIdentifier(nameof(LedgerBalance.NextExpiryAt))}"
            : "";

        var balance = accounts.Column(nameof(CreditAccount.Balance));
        var reserved = accounts.Column(nameof(CreditAccount.Reserved));
        var granted = accounts.Column(nameof(CreditAccount.TotalGranted));
        var consumed = accounts.Column(nameof(CreditAccount.TotalConsumed));
        var updatedAt = accounts.Column(nameof(CreditAccount.UpdatedAt));
        var accountUser = accounts.Column(nameof(CreditAccount.UserId));
        var userId = users.Column(nameof(CreditUser.Id));
        var isAdmin = users.Column(nameof(CreditUser.IsAdmin));

        // The debit of {amount} at {now} from {user}'s account ({yes}: true). Refused when credits have lapsed and their
        // expiry is not written yet.
        string DebitTake(string amount, string now) => $"{balance} = {balance} - {amount}, {consumed} = {consumed} + {amount}, {updatedAt} = {now}";
        string DebitWhere(string user, string amount, string now, string yes) =>
            $" WHERE {accountUser} = {user} AND {balance} - {reserved} >= {amount} AND ({nextExpiry} IS NULL OR {nextExpiry} > {now})"
            + $" AND NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {user} AND {isAdmin} = {yes})";

        // {0} user id, {1} amount, {2} now, {3} true
        Debit = Statement(
            $"UPDATE {accounts.Table} SET {DebitTake("{1}", "{2}")}"
            + Output(balance)
            + DebitWhere("{0}", "{1}", "{2}", "{3}")
            + Returning(balance),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin))]);

        // {0} user id, {1} amount, {2} now, {3} the highest balance the credit may start from (CreditLimits.MaxBalance - amount)
        Credit = Statement(
            $"UPDATE {accounts.Table} SET {balance} = {balance} + {{1}}, {granted} = {granted} + {{1}}, {updatedAt} = {{2}}"
            + Output(balance)
            + $" WHERE {accountUser} = {{0}} AND {balance} <= {{3}}"
            + Returning(balance),
            [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
             accounts.Property(nameof(CreditAccount.UpdatedAt)), accounts.Property(nameof(CreditAccount.Balance))]);

        var usageCount = accounts.Column(nameof(CreditAccount.UsageCount));
        var usageCredits = accounts.Column(nameof(CreditAccount.UsageCredits));
        var lastUsage = accounts.Column(nameof(CreditAccount.LastUsageAt));
        var earliestUsage = accounts.Column(nameof(CreditAccount.FirstUsageAt));

        // {0} user id, {1} false, {2} now, {3} zero
        EnsureAccount = Statement(
            $"INSERT INTO {users.Table} ({userId}, {isAdmin}, {users.Column(nameof(CreditUser.CreatedAt))}, {users.Column(nameof(CreditUser.UpdatedAt))})"
            + $" SELECT {{0}}, {{1}}, {{2}}, {{2}} WHERE NOT EXISTS (SELECT 1 FROM {users.Table} WHERE {userId} = {{0}});"
            + $" INSERT INTO {accounts.Table} ({accountUser}, {balance}, {reserved}, {granted}, {consumed}, {usageCount}, {usageCredits}, {accounts.Column(nameof(CreditAccount.CreatedAt))}, {updatedAt})"
            + $" SELECT {{0}}, {{3}}, {{3}}, {{3}}, {{3}}, {{3}}, {{3}}, {{2}}, {{2}} WHERE NOT EXISTS (SELECT 1 FROM {accounts.Table} WHERE {accountUser} = {{0}})",
            [users.Property(nameof(CreditUser.Id)), users.Property(nameof(CreditUser.IsAdmin)),
             users.Property(nameof(CreditUser.CreatedAt)), accounts.Property(nameof(CreditAccount.Balance))]);

        // {0} user id. One row per user row: the admin flag and, when the balance row exists, balance, held credits and
        // the next expiry (two primary-key lookups). No row: the user does not exist. Both lookups compare with the
        // parameter (not a.user_id = u.id): the same rows, and PostgreSQL plans it as two independent key lookups,
        // measurably cheaper per call for an unprepared statement.
        ReadAccount = Statement(
            $"SELECT u.{isAdmin}, a.{balance}, a.{reserved}, a.{nextExpiry} FROM {users.Table} u"
            + $" LEFT JOIN {accounts.Table} a ON a.{accountUser} = {{0}} WHERE u.{userId} = {{0}}",
            [users.Property(nameof(CreditUser.Id))]);
        ReadAccountColumns = [users.Property(nameof(CreditUser.IsAdmin)), accounts.Property(nameof(CreditAccount.Balance)),
            accounts.Property(nameof(CreditAccount.Reserved)), accounts.Property(nameof(CreditAccount.NextExpiryAt))];

        var (transactionText, transactionColumns) = Insert(db.Model, typeof(CreditTransaction), helper, 0);
        InsertTransaction = Statement(transactionText, transactionColumns);

        // The usage log statements: [with ledger row?, charged?]. See UsageText.
        UsageHourShards = sqlServer ? 0 : db.Database.ProviderName?.EndsWith(".Sqlite", StringComparison.Ordinal) == true ? 1 : CreditUsageHour.Shards;
        var usage = new TableNames(db.Model, typeof(UsageLog), helper);
        UsageColumns = [.. usage.EntityType.GetProperties().Where(p => p.Name is not (nameof(UsageLog.CumulativeUses) or nameof(UsageLog.CumulativeCredits)))];
        var hours = UsageHourShards == 0 ? null : new TableNames(db.Model, typeof(CreditUsageHour), helper);
        IProperty[] hourColumns = hours is null ? [] : [hours.Property(nameof(CreditUsageHour.HourStart)), hours.Property(nameof(CreditUsageHour.Shard))];
        var logUser = usage.Column(nameof(UsageLog.UserId));
        var logAt = usage.Column(nameof(UsageLog.CreatedAt));
        var cumulativeUses = usage.Column(nameof(UsageLog.CumulativeUses));
        var cumulativeCredits = usage.Column(nameof(UsageLog.CumulativeCredits));

        // The account's usage counters after a charged use at {at} of {credits} (only when {when} holds, if given).
        string CountUse(string at, string credits, string? when)
        {
            string Counted(string value) => when is null ? value : $"CASE WHEN {when} THEN {value} ELSE 0 END";
            string If(string condition) => when is null ? condition : $"{when} AND ({condition})";
            return $"{usageCount} = {usageCount} + {Counted("1")}, {usageCredits} = {usageCredits} + {Counted(credits)},"
                + $" {lastUsage} = CASE WHEN {If($"{lastUsage} IS NULL OR {lastUsage} < {at}")} THEN {at} ELSE {lastUsage} END,"
                + $" {earliestUsage} = CASE WHEN {If($"{earliestUsage} IS NULL OR {earliestUsage} > {at}")} THEN {at} ELSE {earliestUsage} END";
        }

        // The user's charged uses timed after {at}: their running totals do not include a use written now.
        string LaterThan(string user, string at) => $" WHERE {logUser} = {user} AND {logAt} > {at} AND {cumulativeUses} IS NOT NULL";
        string LaterUses(string user, string at) => $" FROM {usage.Table}{LaterThan(user, at)}";

        // No usage log of the user has the key yet: a deduction whose key was used is not debited, and the caller looks
        // up the earlier outcome (a replay) instead of running it again. Without a key the probe is not run at all (the
        // OR stops first), whatever plan the statement was given: a prepared statement's generic plan, made while the
        // usage logs were few, may read them all for a probe (measured: 4 ms a call at 50,000 logs).
        // A key that a grant of the user holds is used too: such a deduction is not debited either, so it cannot fail the
        // ledger's unique key and roll back the batch it joined (it is reported as a conflict).
        var ledger = new TableNames(db.Model, typeof(CreditTransaction), helper);
        string KeyUnused(string user, string key) =>
            $" AND ({key} IS NULL OR (NOT EXISTS (SELECT 1 FROM {usage.Table} WHERE {logUser} = {user} AND {usage.Column(nameof(UsageLog.IdempotencyKey))} = {key})"
            + $" AND NOT EXISTS (SELECT 1 FROM {ledger.Table} WHERE {ledger.Column(nameof(CreditTransaction.UserId))} = {user} AND {ledger.Column(nameof(CreditTransaction.IdempotencyKey))} = {key})))";

        // Those uses move up by the use written now (joining the tables in {from}, if given).
        string ShiftLaterUses(string user, string at, string credits, string from = "") =>
            $"UPDATE {usage.Table} SET {cumulativeUses} = {cumulativeUses} + 1, {cumulativeCredits} = {cumulativeCredits} + {credits}{from}{LaterThan(user, at)}";
        var usageColumnList = string.Join(", ", UsageColumns.Select(p => usage.Column(p.Name)));

        // The hourly roll-up's upsert around its values (a VALUES list or a SELECT): one row per use.
        string RollUp(TableNames hours, string values)
        {
            string H(string name) => hours.Column(name);
            var key = $"{H(nameof(CreditUsageHour.HourStart))}, {H(nameof(CreditUsageHour.Feature))}, {H(nameof(CreditUsageHour.Model))}, {H(nameof(CreditUsageHour.IsUnlimited))}, {H(nameof(CreditUsageHour.Shard))}";
            string Add(string name) => $"{H(name)} = h.{H(name)} + excluded.{H(name)}";
            return $"INSERT INTO {hours.Table} AS h ({key}, {H(nameof(CreditUsageHour.Uses))}, {H(nameof(CreditUsageHour.Credits))}, {H(nameof(CreditUsageHour.Value))})"
                + $" {values} ON CONFLICT ({key}) DO UPDATE SET {Add(nameof(CreditUsageHour.Uses))}, {Add(nameof(CreditUsageHour.Credits))}, {Add(nameof(CreditUsageHour.Value))}";
        }

        string UsageText(int first, bool charged)
        {
            string P(string name) => $"{{{first + Array.FindIndex(UsageColumns, p => p.Name == name)}}}";
            var user = P(nameof(UsageLog.UserId));
            var at = P(nameof(UsageLog.CreatedAt));
            var credits = P(nameof(UsageLog.CreditsUsed));
            var values = string.Join(", ", UsageColumns.Select(p => P(p.Name)));
            var text = new System.Text.StringBuilder();
            if (charged)
            {
                // Running totals: the account's usage counters (this update also holds the account's row lock, so the
                // user's uses are written one at a time), the new row's totals = the counters minus the rows
                // timed after it, and those rows move up by this use.
                var later = LaterUses(user, at);
                text.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"UPDATE {accounts.Table} SET {CountUse(at, credits, when: null)} WHERE {accountUser} = {user}; ");
                text.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"INSERT INTO {usage.Table} ({usageColumnList}, {cumulativeUses}, {cumulativeCredits}) SELECT {values},"
                    + $" (SELECT {usageCount} FROM {accounts.Table} WHERE {accountUser} = {user}) - (SELECT COUNT(*){later}),"
                    + $" (SELECT {usageCredits} FROM {accounts.Table} WHERE {accountUser} = {user}) - (SELECT COALESCE(SUM({usage.Column(nameof(UsageLog.CreditsUsed))}), 0){later}); ");
                text.Append(ShiftLaterUses(user, at, credits));
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"INSERT INTO {usage.Table} ({usageColumnList}) VALUES ({values})");
            }

            if (hours is not null)
            {
                // The hourly roll-up, in the same command: one upsert (SQLite 3.24+, PostgreSQL 9.5+).
                var hour = first + UsageColumns.Length;
                text.Append("; ").Append(RollUp(hours,
                    $"VALUES ({{{hour}}}, {P(nameof(UsageLog.Feature))}, {P(nameof(UsageLog.Model))}, {P(nameof(UsageLog.IsUnlimited))}, {{{hour + 1}}}, 1, {credits}, {P(nameof(UsageLog.Price))})"));
            }

            return text.ToString();
        }

        SqlStatement UsageStatement(bool withTransaction, bool charged) => withTransaction
            ? Statement(transactionText + "; " + UsageText(transactionColumns.Length, charged), [.. transactionColumns, .. UsageColumns, .. hourColumns])
            : Statement(UsageText(0, charged), [.. UsageColumns, .. hourColumns]);
        usageStatements = [UsageStatement(false, false), UsageStatement(false, true), UsageStatement(true, false), UsageStatement(true, true)];

        ReadsOnOwnConnection = db.Database.ProviderName?.EndsWith(".Sqlite", StringComparison.Ordinal) == true;

        // SQLite: deductions of different users in two commands whose text depends on how many (SQLite prepares every
        // command it runs anyway): one UPDATE ... FROM a VALUES list of users and amounts, counting each use unless
        // the account has lots or a use timed after this one (then the caller appends that one alone, as after a
        // plain debit), returning each account's figures and whether the use was counted; then one command appending
        // the counted ones: their ledger rows, their usage logs with running totals from the counters, the roll-up.
        if (UsageHourShards == 1)
        {
            var deductions = helper.DelimitIdentifier("deductions");
            var (deductionUser, deductionAmount, deductionKey) = (helper.DelimitIdentifier("user"), helper.DelimitIdentifier("amount"), helper.DelimitIdentifier("key"));
            var counted = $"{nextExpiry} IS NULL AND ({lastUsage} IS NULL OR {lastUsage} <= {{1}})";
            // One deduction (a hot user's batch is all rounds of one) takes its values as parameters: a plain UPDATE is
            // cheaper for SQLite to parse and plan than one joined to a VALUES list.
            debitMany = count => Statement(
                (count == 1
                    ? $"UPDATE {accounts.Table} SET {DebitTake("{3}", "{1}")}, {CountUse("{1}", "{3}", counted)}{DebitWhere("{2}", "{3}", "{1}", "{0}")}{KeyUnused("{2}", "{4}")}"
                    : $"WITH {deductions} ({deductionUser}, {deductionAmount}, {deductionKey}) AS (VALUES {string.Join(", ", Enumerable.Range(0, count).Select(i => $"({{{2 + 3 * i}}}, {{{3 + 3 * i}}}, {{{4 + 3 * i}}})"))})"
                    + $" UPDATE {accounts.Table} SET {DebitTake($"{deductions}.{deductionAmount}", "{1}")}, {CountUse("{1}", $"{deductions}.{deductionAmount}", counted)}"
                    + $" FROM {deductions}{DebitWhere($"{deductions}.{deductionUser}", $"{deductions}.{deductionAmount}", "{1}", "{0}")}{KeyUnused($"{deductions}.{deductionUser}", $"{deductions}.{deductionKey}")}")
                + $" RETURNING {accountUser}, {balance}, {nextExpiry}, {usageCount}, {usageCredits}, CASE WHEN {nextExpiry} IS NULL AND {lastUsage} = {{1}} THEN 1 ELSE 0 END",
                [users.Property(nameof(CreditUser.IsAdmin)), accounts.Property(nameof(CreditAccount.UpdatedAt)),
                 .. Enumerable.Range(0, count).SelectMany(_ => new[] { accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)), usage.Property(nameof(UsageLog.IdempotencyKey)) })]);

            IProperty[] row = [.. transactionColumns, .. UsageColumns, usage.Property(nameof(UsageLog.CumulativeUses)), usage.Property(nameof(UsageLog.CumulativeCredits)), .. hourColumns];
            AppendManyColumns = row;
            appendMany = count =>
            {
                string Values(int first, int length) => $"({string.Join(", ", Enumerable.Range(first, length).Select(i => $"{{{i}}}"))})";
                string Rows(Func<int, string> values) => string.Join(", ", Enumerable.Range(0, count).Select(i => values(i * row.Length)));
                string P(int first, string name) => $"{{{first + transactionColumns.Length + Array.FindIndex(UsageColumns, p => p.Name == name)}}}";
                var hour = transactionColumns.Length + UsageColumns.Length + 2;
                return Statement(
                    $"{transactionText[..transactionText.IndexOf(" VALUES ", StringComparison.Ordinal)]} VALUES {Rows(first => Values(first, transactionColumns.Length))};"
                    + $" INSERT INTO {usage.Table} ({usageColumnList}, {cumulativeUses}, {cumulativeCredits}) VALUES {Rows(first => Values(first + transactionColumns.Length, UsageColumns.Length + 2))};"
                    + $" {RollUp(hours!, $"VALUES {Rows(first => $"({{{first + hour}}}, {P(first, nameof(UsageLog.Feature))}, {P(first, nameof(UsageLog.Model))}, {P(first, nameof(UsageLog.IsUnlimited))}, {{{first + hour + 1}}}, 1, {P(first, nameof(UsageLog.CreditsUsed))}, {P(first, nameof(UsageLog.Price))})")}")}",
                    [.. Enumerable.Range(0, count).SelectMany(_ => row)]);
            };
        }

        // PostgreSQL: a whole charged deduction in one statement (one round trip), the same writes as Debit followed by
        // AppendUsage(true, true): the debit with the usage counters, the ledger row (its balance from the debit), the
        // usage log with its running totals, the shift of the user's rows timed after it, and the hour's roll-up. All
        // but the debit happen only if it took the credits and the account has no lots to consume first (then the
        // counters are left alone too, and the caller consumes the lots and appends with AppendUsage). The user's rows
        // timed after the use are looked for only when the account's last use (after this one) is later than it: every
        // charged use is counted in it, so otherwise there are none (the common case: one index probe less, twice).
        if (hours is not null && db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true)
        {
            string Name(string name) => helper.DelimitIdentifier(name);
            var (debited, later, input) = (Name("debited"), Name("later"), Name("input"));
            var (balanceAlias, expiryAlias) = (Name(nameof(LedgerBalance.Balance)), Name(nameof(LedgerBalance.NextExpiryAt)));
            var (usesAlias, creditsAlias, lastAlias, ordinal) = (Name("uses"), Name("credits"), Name("last"), Name("ordinal"));
            var transactions = new TableNames(db.Model, typeof(CreditTransaction), helper);
            var ledgerColumns = transactionColumns.Where(c => c.Name != nameof(CreditTransaction.BalanceAfter)).ToArray();
            var ledgerColumnList = string.Join(", ", transactionColumns.Select(c => transactions.Column(c.Name)));
            var returning = $" RETURNING {balance} AS {balanceAlias}, {nextExpiry} AS {expiryAlias}, {usageCount} AS {usesAlias}, {usageCredits} AS {creditsAlias}, {lastUsage} AS {lastAlias}";
            var taken = $" WHERE {debited}.{expiryAlias} IS NULL";

            // The statement's text. {input} is null for one deduction (values are parameters) or the CTE of many (values
            // are its columns, each row a deduction of a different user, matched to its debit by ordinal); {ledger} and
            // {log} give the SQL of a ledger row's and a usage log's column; {user}, {amount}, {now}, {yes} (true), {hour}
            // and {shard} the rest.
            string Deduction(string? inputTable, Func<IProperty, string> ledger, Func<IProperty, string> log, string user, string amount, string now, string yes, string hour, string shard)
            {
                var many = inputTable is not null;
                var at = log(usage.Property(nameof(UsageLog.CreatedAt)));
                var price = log(usage.Property(nameof(UsageLog.Price)));
                var from = many ? $"{debited} JOIN {input} ON {input}.{ordinal} = {debited}.{ordinal}" : debited;
                var laterThanUse = $"{debited}.{lastAlias} > {at}";
                string Log(string name) => log(usage.Property(name));
                var rollUpKey = $"{Log(nameof(UsageLog.Feature))}, {Log(nameof(UsageLog.Model))}, {Log(nameof(UsageLog.IsUnlimited))}, {shard}";
                return $"WITH {(many ? $"{input} AS ({inputTable}), " : "")}"
                    + $"{debited} AS (UPDATE {accounts.Table} SET {DebitTake(amount, now)}, {CountUse(at, amount, when: $"{nextExpiry} IS NULL")}"
                    + (many ? $" FROM {input}" : "")
                    + DebitWhere(user, amount, now, yes) + KeyUnused(user, Log(nameof(UsageLog.IdempotencyKey)))
                    + returning + (many ? $", {input}.{ordinal} AS {ordinal}" : "") + "),"
                    + $" {later} AS (SELECT {(many ? $"{input}.{ordinal}, " : "")}l.{usesAlias}, l.{creditsAlias} FROM {from},"
                    + $" LATERAL (SELECT COUNT(*) AS {usesAlias}, COALESCE(SUM({usage.Column(nameof(UsageLog.CreditsUsed))}), 0) AS {creditsAlias}{LaterUses(user, at)}) l"
                    + $"{taken} AND {laterThanUse}),"
                    + $" {Name("charged")} AS (INSERT INTO {transactions.Table} ({ledgerColumnList})"
                    + $" SELECT {string.Join(", ", transactionColumns.Select(c => c.Name == nameof(CreditTransaction.BalanceAfter) ? $"{debited}.{balanceAlias}" : ledger(c)))}"
                    + $" FROM {from}{taken}),"
                    + $" {Name("logged")} AS (INSERT INTO {usage.Table} ({usageColumnList}, {cumulativeUses}, {cumulativeCredits})"
                    + $" SELECT {string.Join(", ", UsageColumns.Select(log))}, {debited}.{usesAlias} - COALESCE({later}.{usesAlias}, 0), {debited}.{creditsAlias} - COALESCE({later}.{creditsAlias}, 0)"
                    + $" FROM {from} LEFT JOIN {later} ON {(many ? $"{later}.{ordinal} = {debited}.{ordinal}" : "TRUE")}{taken}),"
                    // The uncorrelated EXISTS is a one-time gate: in the common case (no use timed later) the usage logs
                    // are not read at all, whatever plan the statement was given (see KeyUnused).
                    + $" {Name("moved")} AS ({ShiftLaterUses(user, at, amount, $" FROM {from}")} AND {debited}.{expiryAlias} IS NULL AND {laterThanUse}"
                    + $" AND EXISTS (SELECT 1 FROM {from}{taken} AND {laterThanUse})),"
                    + $" {Name("rolled")} AS ({RollUp(hours, many
                        ? $"SELECT {hour}, {rollUpKey}, COUNT(*), SUM({amount}), SUM({price}) FROM {from}{taken} GROUP BY {rollUpKey}"
                        : $"SELECT {hour}, {rollUpKey}, 1, {amount}, {price} FROM {from}{taken}")})"
                    + $" SELECT {(many ? $"{ordinal}, " : "")}{balanceAlias}, {expiryAlias} FROM {debited}";
            }

            // One deduction: {0} user id, {1} amount, {2} now, {3} true, then the ledger row's columns but its balance,
            // then the usage log's, then the hour start and the shard.
            var next = 4;
            var ledgerValues = ledgerColumns.ToDictionary(c => c, _ => $"{{{next++}}}");
            var firstUsage = next;
            string P(IProperty column) => $"{{{firstUsage + Array.IndexOf(UsageColumns, column)}}}";
            DebitAndAppend = Statement(
                Deduction(null, c => ledgerValues[c], P, "{0}", "{1}", "{2}", "{3}", $"{{{firstUsage + UsageColumns.Length}}}", $"{{{firstUsage + UsageColumns.Length + 1}}}"),
                [accounts.Property(nameof(CreditAccount.UserId)), accounts.Property(nameof(CreditAccount.Balance)),
                 accounts.Property(nameof(CreditAccount.UpdatedAt)), users.Property(nameof(CreditUser.IsAdmin)),
                 .. ledgerColumns, .. UsageColumns, .. hourColumns]);

            // Many deductions of different users: {0} true, {1} the hour start, then one array per column of
            // ManyInputs (the ledger rows' columns but their balance, the usage logs' columns but their ledger row,
            // which is the ledger row's id), then the shards; unnest reads them as a table. Each deduction is the same
            // writes as above; the roll-up gets one upsert per row it touches. The result has each debited deduction's
            // ordinal (1-based) with its balance and next expiry.
            var logTransaction = usage.Property(nameof(UsageLog.TransactionId));
            ManyInputs = [.. ledgerColumns, .. UsageColumns.Where(c => c != logTransaction)];
            var columnNames = ManyInputs.Select((c, i) => (c, Name("c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToDictionary(p => p.c, p => p.Item2);
            string Column(IProperty column) => $"{input}.{columnNames[column == logTransaction ? ledgerColumns.Single(c => c.Name == nameof(CreditTransaction.Id)) : column]}";
            var shardName = Name("shard");
            var arrays = string.Join(", ", Enumerable.Range(2, ManyInputs.Length + 1).Select(i => $"{{{i}}}"));
            var typeMappings = db.GetService<IRelationalTypeMappingSource>();
            DebitAndAppendMany = Statement(
                Deduction($"SELECT * FROM unnest({arrays}) WITH ORDINALITY AS i({string.Join(", ", ManyInputs.Select(c => columnNames[c]))}, {shardName}, {ordinal})",
                    Column, Column, Column(usage.Property(nameof(UsageLog.UserId))), Column(usage.Property(nameof(UsageLog.CreditsUsed))),
                    Column(usage.Property(nameof(UsageLog.CreatedAt))), "{0}", "{1}", $"{input}.{shardName}"),
                [users.Property(nameof(CreditUser.IsAdmin)), hourColumns[0], .. ManyInputs, hourColumns[1]],
                [null, null, .. ManyInputs.Select(c => ArrayMapping(typeMappings, c)), typeMappings.FindMapping(typeof(int[]))]);
            BatchSettings = Statement($"SET LOCAL lock_timeout = {(int)BatchLockWait.TotalMilliseconds}; SET LOCAL plan_cache_mode = force_generic_plan", []);
        }
    }

    /// <summary>
    /// A charged deduction as one statement, where the database can (PostgreSQL); otherwise <see langword="null"/>.
    /// Parameters: user id, amount, now, true, then the ledger row's columns without its balance (the debit's
    /// result), then <see cref="UsageColumns"/>, then the hour start and the shard.
    /// </summary>
    public SqlStatement? DebitAndAppend { get; }

    /// <summary>
    /// Charged deductions of different users as one statement, where the database can (PostgreSQL); otherwise
    /// <see langword="null"/>. Parameters: true, the hour start, one array per <see cref="ManyInputs"/> column (the
    /// values as the provider stores them), then the shards. Returns the ordinal (1-based), balance and next expiry of
    /// each deduction that took its credits (see <see cref="DebitAndAppend"/> for what a next expiry means).
    /// </summary>
    public SqlStatement? DebitAndAppendMany { get; }

    private readonly Func<int, SqlStatement>? debitMany, appendMany;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, SqlStatement> debitsMany = new(), appendsMany = new();

    /// <summary>
    /// SQLite: the debit of deductions of <paramref name="count"/> different users as one statement; otherwise
    /// <see langword="null"/>. Parameters: true, now, then each deduction's user id, amount and idempotency key (a user
    /// who has a usage log with that key is not debited). Returns for each account
    /// it debited: user id, balance, next expiry, usage count and credits (after the use), and 1 if the use was counted
    /// (no lots and no use timed after it: the caller appends it with <see cref="AppendMany"/>), else 0 (the caller
    /// appends it alone, as after <see cref="Debit"/>).
    /// </summary>
    public SqlStatement? DebitMany(int count) => debitMany is null ? null : debitsMany.GetOrAdd(count, debitMany);

    /// <summary>
    /// SQLite: the ledger rows, usage logs (with their running totals as values) and roll-up of <paramref name="count"/>
    /// counted uses as one command. Parameters: <see cref="AppendManyColumns"/> for each use in turn.
    /// </summary>
    public SqlStatement AppendMany(int count) => appendsMany.GetOrAdd(count, appendMany!);

    /// <summary>The values of one use in <see cref="AppendMany"/>: the ledger row's, the usage log's, its running totals, the hour start and the shard.</summary>
    public IProperty[] AppendManyColumns { get; } = [];

    /// <summary>The ledger row and usage log columns whose values <see cref="DebitAndAppendMany"/> takes as arrays, in order.</summary>
    public IProperty[] ManyInputs { get; } = [];

    private readonly SqlStatement[] usageStatements;

    public SqlStatement Debit { get; }

    public SqlStatement Credit { get; }

    public SqlStatement EnsureAccount { get; }

    /// <summary>The balance read (<see cref="CreditLedger.ReadAccountAsync"/>): admin flag, balance, reserved, next expiry.</summary>
    public SqlStatement ReadAccount { get; }

    /// <summary>
    /// Whether <see cref="ReadAccount"/> outside a transaction runs on a connection of its own, with the context's
    /// connection string (SQLite). EF's SQLite connection registers EF's SQL functions on every open and removes them on
    /// every close, which was more than half the CPU of a balance request in a profile; a plain connection from the same
    /// pool does neither. Only when the context has no interceptors, which would not see that connection.
    /// </summary>
    public bool ReadsOnOwnConnection { get; }

    /// <summary>The model properties of <see cref="ReadAccount"/>'s columns, in order (their value converters, if any, read them).</summary>
    public IReadOnlyList<IProperty> ReadAccountColumns { get; }

    public SqlStatement InsertTransaction { get; }

    /// <summary>The usage log columns the insert binds, in order (the running totals are computed in the statement).</summary>
    public IProperty[] UsageColumns { get; }

    /// <summary>
    /// The roll-up's shards per hour, feature and model: 64 on PostgreSQL (row locks), 1 on SQLite (one writer at a
    /// time anyway), 0 when the roll-up is not written (SQL Server, whose dialect has no upsert; its reports read the
    /// usage logs).
    /// </summary>
    public int UsageHourShards { get; }

    /// <summary>
    /// Lanes of the deduction batcher (<see cref="CreditDeductionBatcher"/>). One where deductions of many users run as
    /// one statement (PostgreSQL): the fewer the lanes, the larger the batches, and a batch costs little more than one
    /// deduction, so one writer with everything queued behind it does the most work per CPU second. One on SQLite (one
    /// writer at a time anyway). Elsewhere (no roll-up, one statement per deduction) one per roll-up shard, so concurrent
    /// callers for different users rarely share one. A lane writes only while it has deductions queued, so this bounds
    /// the transactions in flight, not the connections held. One user's callers always share a lane (and commits).
    /// </summary>
    public int DeductionLanes => DeductsMany ? 1 : CreditUsageHour.Shards;

    /// <summary>Whether deductions of many users run as one statement (PostgreSQL, <see cref="DebitAndAppendMany"/>) or two (SQLite, <see cref="DebitMany"/>).</summary>
    public bool DeductsMany => DebitAndAppendMany is not null || debitMany is not null;

    /// <summary>
    /// The settings of a batch's transaction (PostgreSQL: <c>SET LOCAL</c>, so they end with it); null where there are
    /// none. <c>lock_timeout</c> bounds how long its statements wait for a row lock: a batch blocked by another
    /// transaction (a host's, holding an account it touches) would hold up every deduction queued behind it; instead it
    /// fails after <see cref="BatchLockWait"/> and its deductions run alone, where only the blocked one waits.
    /// <c>plan_cache_mode = force_generic_plan</c> keeps the prepared deduction statements on their generic plan: once
    /// the tables have statistics, PostgreSQL may judge a custom plan cheaper and then plans the statement again on
    /// every execution, which costs more than running it (measured: 0.28 ms planning for 0.11 ms executing, a hot
    /// user's deductions at less than half the rate). The statements look rows up by key, which the generic plan does.
    /// </summary>
    public SqlStatement? BatchSettings { get; }

    /// <summary>The longest a batch waits for a row lock before its deductions run alone.</summary>
    public static readonly TimeSpan BatchLockWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The command that appends a usage log (after its ledger row, if any) with its running totals (charged uses) and
    /// its hour in the roll-up. Parameters: the ledger row's columns, <see cref="UsageColumns"/>, then (when
    /// <see cref="UsageHourShards"/> &gt; 0) the hour start and the shard.
    /// </summary>
    public SqlStatement AppendUsage(bool withTransaction, bool charged) => usageStatements[(withTransaction ? 2 : 0) + (charged ? 1 : 0)];

    public static CreditLedgerSql For(DbContext db) => Cache.GetValue(db.Model, _ => new CreditLedgerSql(db));

    /// <summary>The mapping of an array of the values of <paramref name="column"/> as the provider stores them.</summary>
    private static RelationalTypeMapping ArrayMapping(IRelationalTypeMappingSource mappings, IProperty column)
    {
        var element = ProviderElementType(column);
        return mappings.FindMapping(element.MakeArrayType())
            ?? throw new InvalidOperationException($"The provider has no array mapping for {element.Name} ({column.Name}).");
    }

    /// <summary>The values of <paramref name="column"/> of <paramref name="entities"/> as one array of their provider values.</summary>
    public static Array ArrayOf(IProperty column, IReadOnlyList<object> entities)
    {
        var converter = column.GetRelationalTypeMapping().Converter;
        var values = Array.CreateInstance(ProviderElementType(column), entities.Count);
        var getter = column.GetGetter();
        for (var i = 0; i < entities.Count; i++)
        {
            var value = getter.GetClrValueUsingContainingEntity(entities[i]);
            values.SetValue(converter is null || value is null ? value : converter.ConvertToProvider(value), i);
        }

        return values;
    }

    /// <summary>The type of one of <paramref name="column"/>'s values as the provider stores it (nullable if the column is).</summary>
    private static Type ProviderElementType(IProperty column)
    {
        var mapping = column.GetRelationalTypeMapping();
        var element = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
        return column.IsNullable && element.IsValueType && Nullable.GetUnderlyingType(element) is null
            ? typeof(Nullable<>).MakeGenericType(element)
            : element;
    }

    private static (string Text, IProperty[] Columns) Insert(IModel model, Type clrType, ISqlGenerationHelper helper, int firstPlaceholder)
    {
        var names = new TableNames(model, clrType, helper);
        var properties = names.EntityType.GetProperties().ToArray();
        var columns = string.Join(", ", properties.Select(p => names.Column(p.Name)));
        var placeholders = string.Join(", ", properties.Select((_, i) => $"{{{firstPlaceholder + i}}}"));
        return ($"INSERT INTO {names.Table} ({columns}) VALUES ({placeholders})", properties);
    }

    private sealed class TableNames
    {
        private readonly ISqlGenerationHelper helper;
        private readonly StoreObjectIdentifier store;

        public TableNames(IModel model, Type clrType, ISqlGenerationHelper helper)
        {
            this.helper = helper;
            EntityType = model.FindEntityType(clrType)
                ?? throw new InvalidOperationException($"The context's model has no {clrType.Name}. Call modelBuilder.ApplyCreditsModel() in OnModelCreating.");
            store = StoreObjectIdentifier.Table(EntityType.GetTableName()!, EntityType.GetSchema());
            Table = helper.DelimitIdentifier(store.Name, store.Schema);
        }

        public IEntityType EntityType { get; }

        public string Table { get; }

        public IProperty Property(string name) => EntityType.FindProperty(name)!;

        public string Column(string property) => helper.DelimitIdentifier(Property(property).GetColumnName(store)!);
    }
}

/// <summary>A balance as a conditional update returns it.</summary>
internal sealed class LedgerBalance
{
    public long Balance { get; set; }

    public DateTime? NextExpiryAt { get; set; }

    /// <summary>Whether the statement that took the credits also appended the ledger row and usage log.</summary>
    public bool Appended { get; set; }
}

/// <summary>
/// One ledger statement, built once per model into an EF <see cref="IRelationalCommand"/> used as a template (each
/// execution populates the connection's rented command from it, as EF's own queries do): the SQL with provider
/// parameter placeholders and one parameter per value, bound by the model property's type mapping (value
/// converters included, so a SQLite GUID is stored as EF stores it). Executing it through
/// <see cref="RelationalCommandParameterObject"/> with the context's connection and command logger keeps EF's
/// logging, diagnostics and interceptors, and joins the context's current transaction, without building the command or
/// generating SQL again on every call.
/// </summary>
internal sealed class SqlStatement
{
    private readonly string[] names;

    private SqlStatement(string text, IReadOnlyList<IProperty> parameters, IRelationalCommandTemplate command, string[] names)
    {
        Text = text;
        Parameters = parameters;
        Command = command;
        this.names = names;
    }

    /// <summary>The SQL as the command runs it.</summary>
    public string Text { get; }

    /// <summary>The model property whose type mapping binds each value, in order.</summary>
    public IReadOnlyList<IProperty> Parameters { get; }

    /// <summary>The prepared EF command: a template, executed through a command rented from the context's connection.</summary>
    public IRelationalCommandTemplate Command { get; }

    /// <summary>Builds the command from a text with EF <c>{n}</c> placeholders.</summary>
    /// <param name="text">The SQL.</param>
    /// <param name="parameters">The model property of each placeholder.</param>
    /// <param name="helper">The provider's SQL generation.</param>
    /// <param name="factory">The provider's command builder.</param>
    /// <param name="mappings">Where not null, the mapping that binds the placeholder instead of its property's (an array of its values).</param>
    public static SqlStatement Create(string text, IReadOnlyList<IProperty> parameters, ISqlGenerationHelper helper, IRelationalCommandBuilderFactory factory,
        IReadOnlyList<RelationalTypeMapping?>? mappings = null)
    {
        var names = new string[parameters.Count];
        var builder = factory.Create();
        for (var i = 0; i < parameters.Count; i++)
        {
            names[i] = "mf" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var mapping = mappings?[i];
            builder.AddParameter(names[i], helper.GenerateParameterName(names[i]), mapping ?? parameters[i].GetRelationalTypeMapping(), mapping is null && parameters[i].IsNullable);
        }

        var sql = System.Text.RegularExpressions.Regex.Replace(text, @"\{(\d+)\}",
            m => helper.GenerateParameterNamePlaceholder(names[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]));
        return new SqlStatement(sql, parameters, builder.Append(sql).Build(), names);
    }

    /// <summary>The parameter values of one execution, keyed as the command expects them.</summary>
    public Dictionary<string, object?> Values(object?[] values)
    {
        var bound = new Dictionary<string, object?>(values.Length, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            bound[names[i]] = values[i];
        }

        return bound;
    }
}
