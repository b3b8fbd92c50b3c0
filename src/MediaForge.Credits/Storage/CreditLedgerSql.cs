using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// The one provider-specific seam: the SQL of the conditional balance updates and the ledger inserts, generated from
/// the EF model (so table prefixes, schemas and column names always match) and run through EF's command pipeline
/// (logging, interceptors). Standard SQL everywhere except how the new balance comes back: <c>RETURNING</c> on SQLite
/// and PostgreSQL, <c>OUTPUT INSERTED</c> on SQL Server. Built once per model, one family of statements per operation:
/// <see cref="Balances"/>, <see cref="Appends"/>, and the batched deductions of SQLite (<see cref="DebitBatches"/>),
/// the one-statement deductions of PostgreSQL (<see cref="Deductions"/>) or the batched debits of MariaDB
/// (<see cref="MariaDbDebits"/>), all from the names and fragments of <see cref="CreditLedgerSchema"/>.
/// </summary>
internal sealed class CreditLedgerSql
{
    private static readonly ConditionalWeakTable<IModel, CreditLedgerSql> Cache = new();

    private CreditLedgerSql(DbContext db)
    {
        var schema = new CreditLedgerSchema(db);
        UsageHourShards = schema.UsageHourShards;
        Balances = new CreditBalanceSql(schema);
        Appends = new CreditAppendSql(schema);
        Holds = new CreditHoldSql(schema);
        DebitBatches = schema.UsageHourShards == 1 ? new SqliteDeductionBatchSql(schema) : null;
        Deductions = schema.Hours is not null && schema.IsNpgsql
            ? new PostgresDeductionSql(schema, db.GetService<IRelationalTypeMappingSource>())
            : null;
        MariaDbDebits = schema.IsMySql ? new MariaDbDeductionBatchSql(schema) : null;
    }

    /// <summary>The debit, the credit, the account's creation and the balance read.</summary>
    public CreditBalanceSql Balances { get; }

    /// <summary>The ledger row and usage log appends (with running totals and roll-up).</summary>
    public CreditAppendSql Appends { get; }

    /// <summary>The hold statements: reserve, lock, capture, free, charge, the reservation row's insert and read.</summary>
    public CreditHoldSql Holds { get; }

    /// <summary>SQLite: deductions of different users in two commands; otherwise <see langword="null"/>.</summary>
    public SqliteDeductionBatchSql? DebitBatches { get; }

    /// <summary>PostgreSQL: a charged deduction, or many, as one statement; otherwise <see langword="null"/>.</summary>
    public PostgresDeductionSql? Deductions { get; }

    /// <summary>MariaDB / MySQL: the debits of deductions of different users in one command; otherwise <see langword="null"/>.</summary>
    public MariaDbDeductionBatchSql? MariaDbDebits { get; }

    /// <summary>
    /// The roll-up's shards per hour, feature and model: 64 on PostgreSQL (row locks), 1 on SQLite (one writer at a
    /// time anyway), 0 when the roll-up is not written (SQL Server, whose dialect has no upsert; its reports read the
    /// usage logs).
    /// </summary>
    public int UsageHourShards { get; }

    /// <summary>
    /// Lanes of the deduction batcher (<see cref="CreditDeductionBatcher"/>). One where deductions of many users run as
    /// one statement (PostgreSQL; their debits as one command on MariaDB, 0046): the fewer the lanes, the larger the batches, and a batch costs little more than one
    /// deduction, so one writer with everything queued behind it does the most work per CPU second. One on SQLite (one
    /// writer at a time anyway). Elsewhere (no roll-up, one statement per deduction) one per roll-up shard, so concurrent
    /// callers for different users rarely share one. A lane writes only while it has deductions queued, so this bounds
    /// the transactions in flight, not the connections held. One user's callers always share a lane (and commits).
    /// </summary>
    public int DeductionLanes => DeductsMany ? 1 : CreditUsageHour.Shards;

    /// <summary>
    /// Whether deductions of many users run as one statement (PostgreSQL, <see cref="Deductions"/>), two (SQLite,
    /// <see cref="DebitBatches"/>), or their debits as one command (MariaDB, <see cref="MariaDbDebits"/>).
    /// </summary>
    public bool DeductsMany => Deductions is not null || DebitBatches is not null || MariaDbDebits is not null;

    /// <summary>
    /// The settings of a batch's transaction (PostgreSQL: <c>SET LOCAL</c>, so they end with it); null where there are
    /// none. <c>lock_timeout</c> bounds how long its statements wait for a row lock: a batch blocked by another
    /// transaction (a host's, holding an account it touches) would hold up every deduction queued behind it; instead it
    /// fails after <see cref="PostgresDeductionSql.BatchLockWait"/> and its deductions run alone, where only the blocked
    /// one waits. <c>plan_cache_mode = force_generic_plan</c> keeps the prepared deduction statements on their generic
    /// plan: once the tables have statistics, PostgreSQL may judge a custom plan cheaper and then plans the statement
    /// again on every execution, which costs more than running it (measured: 0.28 ms planning for 0.11 ms executing, a
    /// hot user's deductions at less than half the rate). The statements look rows up by key, which the generic plan does.
    /// </summary>
    public SqlStatement? BatchSettings => Deductions?.BatchSettings;

    /// <summary>
    /// Whether the ledger prepares its own statements when it runs them inside a transaction (PostgreSQL: Npgsql keeps
    /// an explicit preparation on the pooled physical connection, so each statement is parsed and planned once per
    /// connection whatever the connection string; unprepared, the deduction statement is planned on every execution, which
    /// measured longer than running it).
    /// </summary>
    public bool PreparesStatements => Deductions is not null;

    /// <summary>
    /// Whether the ledger runs its statements inside a transaction as plain provider commands rather than through EF's
    /// command pipeline (PostgreSQL and SQLite, where a deduction's statements are few and run on every call: EF's
    /// per-command work measured as a large share of a lone deduction's CPU). Only when the context has no command
    /// interceptors, which would not see them.
    /// </summary>
    public bool RunsCommandsDirectly => Deductions is not null || DebitBatches is not null;

    public static CreditLedgerSql For(DbContext db) => Cache.GetValue(db.Model, _ => new CreditLedgerSql(db));
}
