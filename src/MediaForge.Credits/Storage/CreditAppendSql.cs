using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Metadata;

namespace MediaForge.Credits.Storage;

/// <summary>
/// The appends: a ledger row alone, or a usage log (after its ledger row, if any) with its running totals (charged
/// uses) and its hour in the roll-up, as one command.
/// </summary>
internal sealed class CreditAppendSql
{
    private readonly CreditLedgerSchema schema;
    private readonly SqlStatement unlimitedUse, chargedUse, chargedUseWithRow;
    private readonly ConcurrentDictionary<int, SqlStatement> chargedUses = new();
    private readonly string chargedText;
    private readonly IProperty[] chargedColumns;

    public CreditAppendSql(CreditLedgerSchema schema)
    {
        this.schema = schema;
        InsertTransaction = schema.Statement(schema.TransactionText, schema.TransactionColumns);

        // Three kinds of use: unlimited (an admin's: no ledger row, UsageLog.TransactionId), charged with its ledger
        // row, and charged without one (a hold captured for nothing).
        unlimitedUse = schema.Statement(UsageText(0, charged: false), [.. schema.UsageColumns, .. schema.HourColumns]);
        chargedUse = schema.Statement(UsageText(0, charged: true), [.. schema.UsageColumns, .. schema.HourColumns]);
        (chargedText, chargedColumns) = (schema.TransactionText + "; " + UsageText(schema.TransactionColumns.Length, charged: true), [.. schema.TransactionColumns, .. schema.UsageColumns, .. schema.HourColumns]);
        chargedUseWithRow = schema.Statement(chargedText, chargedColumns);
    }

    public SqlStatement InsertTransaction { get; }

    /// <summary>
    /// The command that appends a usage log (after its ledger row, if any) with its running totals (charged uses) and
    /// its hour in the roll-up. Parameters: the ledger row's columns, <see cref="CreditLedgerSchema.UsageColumns"/>, then
    /// (when <see cref="CreditLedgerSchema.UsageHourShards"/> &gt; 0) the hour start and the shard. An unlimited use
    /// has no ledger row (<see cref="UsageLog.TransactionId"/>): asked for one, it throws rather than drop the row.
    /// </summary>
    // Stryker disable once String : the message of a guard no writer reaches (none makes an unlimited use with a ledger row)
    public SqlStatement AppendUsage(bool withTransaction, bool charged) =>
        charged ? (withTransaction ? chargedUseWithRow : chargedUse)
        : !withTransaction ? unlimitedUse
        : throw new ArgumentException("An unlimited use has no ledger row (UsageLog.TransactionId is null for unlimited uses).", nameof(withTransaction));

    /// <summary>
    /// <see cref="AppendUsage"/>(true, true) of <paramref name="count"/> charged uses, as one command: the statements
    /// of each use in turn, as if each were sent on its own (every use's running totals are computed after the ones
    /// before it, from the counters they raised). Parameters: <see cref="AppendUsage"/>'s for each use in turn.
    /// </summary>
    public SqlStatement AppendUsages(int count) => chargedUses.GetOrAdd(count, n => schema.Statement(
        string.Join("; ", Enumerable.Range(0, n).Select(i => Shift(chargedText, i * chargedColumns.Length))),
        [.. Enumerable.Range(0, n).SelectMany(_ => chargedColumns)]));

    // The text with each {n} placeholder moved by `by`: the parameters of the use at that offset.
    private static string Shift(string text, int by) => Regex.Replace(text, @"\{(\d+)\}",
        m => "{" + (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + by).ToString(CultureInfo.InvariantCulture) + "}");

    private string UsageText(int first, bool charged)
    {
        var (accounts, usage, usageColumns, accountUser) = (schema.Accounts, schema.Usage, schema.UsageColumns, schema.AccountUser);
        string P(string name) => $"{{{first + Array.FindIndex(usageColumns, p => p.Name == name)}}}";
        var user = P(nameof(UsageLog.UserId));
        var at = P(nameof(UsageLog.CreatedAt));
        var credits = P(nameof(UsageLog.CreditsUsed));
        var values = string.Join(", ", usageColumns.Select(p => P(p.Name)));
        var text = new StringBuilder();
        if (charged)
        {
            // Running totals: the account's usage counters (this update also holds the account's row lock, so the
            // user's uses are written one at a time), the new row's totals = the counters minus the rows
            // timed after it, and those rows move up by this use.
            var later = schema.LaterUses(user, at);
            text.Append(CultureInfo.InvariantCulture,
                $"UPDATE {accounts.Table} SET {schema.CountUse(at, credits, when: null)} WHERE {accountUser} = {user}; ");
            text.Append(CultureInfo.InvariantCulture,
                $"INSERT INTO {usage.Table} ({schema.UsageColumnList}, {schema.CumulativeUses}, {schema.CumulativeCredits}) SELECT {values},"
                + $" (SELECT {schema.UsageCount} FROM {accounts.Table} WHERE {accountUser} = {user}) - (SELECT COUNT(*){later}),"
                + $" (SELECT {schema.UsageCredits} FROM {accounts.Table} WHERE {accountUser} = {user}) - (SELECT COALESCE(SUM({usage.Column(nameof(UsageLog.CreditsUsed))}), 0){later}); ");
            text.Append(schema.ShiftLaterUses(user, at, credits));
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"INSERT INTO {usage.Table} ({schema.UsageColumnList}) VALUES ({values})");
        }

        if (schema.Hours is { } hours)
        {
            // The hourly roll-up, in the same command: one upsert (SQLite 3.24+, PostgreSQL 9.5+).
            var hour = first + usageColumns.Length;
            text.Append("; ").Append(schema.RollUp(hours,
                $"VALUES ({{{hour}}}, {P(nameof(UsageLog.Feature))}, {P(nameof(UsageLog.Model))}, {P(nameof(UsageLog.IsUnlimited))}, {{{hour + 1}}}, 1, {credits}, {P(nameof(UsageLog.Price))})"));
        }

        return text.ToString();
    }
}
