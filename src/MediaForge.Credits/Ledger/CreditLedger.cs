using System.Runtime.CompilerServices;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// The writes that move credits, in the context's current (or a new) transaction. Two implementations: SQL
/// conditional updates for relational providers (the concurrency guarantees), and tracked entities for other
/// providers (EF InMemory in hosts' unit tests: same results single-threaded, no concurrency guarantees).
/// </summary>
internal abstract class CreditLedger
{
    private static readonly ConditionalWeakTable<DbContext, CreditLedger> Ledgers = new();

    /// <summary>
    /// The context's ledger, built once per context instance (a pooled context keeps it across leases: it holds only the
    /// context's own services and the model's statements, no state of a lease).
    /// </summary>
    public static CreditLedger For(DbContext db) =>
        Ledgers.GetValue(db, static db => db.Database.IsRelational() ? new RelationalCreditLedger(db) : new TrackedCreditLedger(db));

    /// <summary>Starts a transaction, or joins the host's current one (which the host then commits).</summary>
    public abstract Task<CreditLedgerScope> BeginAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes <paramref name="amount"/> if the user's spendable credits cover it, none of their credits has lapsed
    /// unrecorded, and the user is not flagged admin.
    /// </summary>
    /// <returns>The new balance, or <see langword="null"/> when nothing was taken.</returns>
    public abstract Task<LedgerBalance?> TryDebitAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="amount"/> to an existing account.</summary>
    /// <returns>The new balance, or <see langword="null"/> when the user has no account yet.</returns>
    public abstract Task<LedgerBalance?> TryCreditAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the user's admin flag and balance row in one statement, outside any transaction of its own (it joins the
    /// context's current one, if any).
    /// </summary>
    /// <returns>The row, or <see langword="null"/> when the user does not exist.</returns>
    public abstract Task<LedgerAccount?> ReadAccountAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the user has a subscription row, as the balance read reads (same connection rules): the balance endpoint
    /// reads the plan summary only then.
    /// </summary>
    public virtual Task<bool> HasSubscriptionAsync(string userId, CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>Creates the user and balance rows when they are missing.</summary>
    public abstract Task EnsureAccountAsync(string userId, DateTime now, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="TryDebitAndAppendAsync"/> is available (one statement for the whole deduction).</summary>
    public virtual bool CanDebitAndAppend => false;

    /// <summary>
    /// The debit and, if it took the credits and the account has no expiring lots to consume first, the ledger row
    /// (its balance taken from the debit) and the usage log, in one statement. <see langword="null"/> when refused;
    /// when the result has a <see cref="LedgerBalance.NextExpiryAt"/>, the credits were taken but nothing was appended.
    /// </summary>
    public virtual Task<LedgerBalance?> TryDebitAndAppendAsync(CreditTransaction charge, UsageLog usage, DateTime now, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>
    /// Applies the settings of a batch's transaction to the current one, where the database has any (see
    /// <see cref="CreditLedgerSql.BatchSettings"/>).
    /// </summary>
    public virtual Task ApplyBatchSettingsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether <see cref="TryDebitAndAppendManyAsync"/> is available (one statement for deductions of many users).</summary>
    public virtual bool CanDebitAndAppendMany => false;

    /// <summary>
    /// <see cref="TryDebitAndAppendAsync"/> for deductions of different users (no user twice) at one time, in as few
    /// statements as the database allows (one on PostgreSQL, two on SQLite).
    /// </summary>
    /// <returns>
    /// Each deduction's outcome, in order: <see langword="null"/> when refused; otherwise the balance, and
    /// <see cref="LedgerBalance.Appended"/> tells whether its rows were appended (if not, the caller consumes lots when
    /// there is a <see cref="LedgerBalance.NextExpiryAt"/>, then appends).
    /// </returns>
    public virtual Task<LedgerBalance?[]> TryDebitAndAppendManyAsync(IReadOnlyList<CreditTransaction> charges, IReadOnlyList<UsageLog> usages, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Appends a ledger row and, if given, its usage log.</summary>
    public abstract Task AppendAsync(CreditTransaction? transaction, UsageLog? usage, CancellationToken cancellationToken);

    /// <summary>
    /// Appends charged uses, each its ledger row and usage log, in the given order, with the rows and running totals of
    /// <see cref="AppendAsync"/> called for each in turn (a relational ledger sends them as one command).
    /// </summary>
    public virtual async Task AppendUsesAsync(IReadOnlyList<CreditTransaction> charges, IReadOnlyList<UsageLog> usages, CancellationToken cancellationToken)
    {
        for (var i = 0; i < usages.Count; i++)
        {
            await AppendAsync(charges[i], usages[i], cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>A user as the balance read returns it: the admin flag and, if the user has a balance row, its figures.</summary>
/// <param name="IsAdmin">Whether the user row is flagged admin (unlimited).</param>
/// <param name="Balance">The balance, or <see langword="null"/> when the user has no balance row.</param>
/// <param name="Reserved">Credits held by reservations (zero without a balance row).</param>
/// <param name="NextExpiryAt">The earliest expiry of the user's expiring credits, if any.</param>
/// <param name="HasSubscription">Whether the user has a subscription row; <see langword="null"/> when the read did not say.</param>
internal readonly record struct LedgerAccount(bool IsAdmin, long? Balance, long Reserved, DateTime? NextExpiryAt, bool? HasSubscription = null);
