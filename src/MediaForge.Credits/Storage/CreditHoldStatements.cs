using System.Data.Common;
using MediaForge.Credits.Holds;
using static MediaForge.Credits.Storage.LedgerColumns;

namespace MediaForge.Credits.Storage;

/// <summary>
/// The hold statements of <see cref="CreditHoldSql"/> run by the relational ledger, in the context's current
/// transaction: what <see cref="CreditHolds"/> and the reservation service write and read on a hold's hot path.
/// </summary>
internal sealed class CreditHoldStatements(CreditLedgerCommands ledger, CreditHoldSql sql)
{
    /// <summary>The statements of the context's relational ledger (holds need a relational provider).</summary>
    public static CreditHoldStatements For(DbContext db) =>
        CreditLedger.For(db) is RelationalCreditLedger relational ? relational.Holds
            : throw new NotSupportedException("Credit holds need a relational EF Core provider.");

    /// <summary>Holds <paramref name="amount"/> if the user's spendable credits cover it, nothing lapsed unrecorded, and the user is not flagged admin.</summary>
    public async Task<bool> TryHoldAsync(string userId, long amount, DateTime now, CancellationToken cancellationToken) =>
        await ledger.ExecuteAsync(sql.Hold, [userId, amount, now, true], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>Locks the user's balance row (a no-op update); 1 when it exists, 0 when not.</summary>
    public Task<int> LockAsync(string userId, DateTime now, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(sql.Lock, [userId, now], cancellationToken);

    /// <summary>
    /// Frees <paramref name="heldAmount"/> held credits; the balance after and the next expiry (none: the account has no
    /// lot), or <see langword="null"/> without a balance row.
    /// </summary>
    public async Task<LedgerBalance?> FreeAsync(string userId, long heldAmount, DateTime now, CancellationToken cancellationToken)
    {
        LedgerBalance? balance = null;
        await ledger.ReadRowsAsync(sql.Free, [userId, heldAmount, now], row => balance = new LedgerBalance
        {
            Balance = row.GetFieldValue<long>(0), NextExpiryAt = Timestamp(row, 1),
        }, cancellationToken).ConfigureAwait(false);
        return balance;
    }

    /// <summary>Takes <paramref name="charged"/> credits from the balance (the caller holds the row and decided the amount).</summary>
    public Task ChargeAsync(string userId, long charged, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(sql.Charge, [userId, charged], cancellationToken);

    /// <summary>Marks the hold captured for <paramref name="charge"/> if it is active and not lapsed; whether this call did.</summary>
    public async Task<bool> TryCaptureAsync(Guid id, long charge, DateTime now, CancellationToken cancellationToken) =>
        await ledger.ExecuteAsync(sql.Capture, [id, ReservationStatus.Captured, now, charge, ReservationStatus.Active], cancellationToken)
            .ConfigureAwait(false) == 1;

    /// <summary>Links the captured hold to the ledger row of its charge.</summary>
    public Task LinkAsync(Guid id, Guid transactionId, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(sql.Link, [id, transactionId], cancellationToken);

    /// <summary>Inserts the reservation row.</summary>
    public Task InsertAsync(CreditReservation hold, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(sql.Insert, [.. sql.Insert.Parameters.Select(p => p.GetGetter().GetClrValueUsingContainingEntity(hold))], cancellationToken);

    /// <summary>The reservation as read for settling it, or <see langword="null"/> when there is none with that id.</summary>
    public async Task<CreditReservationRow?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        CreditReservationRow? found = null;
        var c = sql.RowColumns;
        await ledger.ReadRowsAsync(sql.Find, [id], row => found = new CreditReservationRow(
            Read<Guid>(row, 0, c[0]), Read<string>(row, 1, c[1])!, Read<string>(row, 2, c[2])!, Read<string>(row, 3, c[3])!,
            Read<long>(row, 4, c[4]), Read<bool>(row, 5, c[5]), Read<ReservationStatus>(row, 6, c[6]), Read<long?>(row, 7, c[7]),
            Read<Guid?>(row, 8, c[8]), Read<DateTime>(row, 9, c[9]), Read<string>(row, 10, c[10]), Read<DateTime>(row, 11, c[11]),
            Read<bool>(row, 12, c[12]), Read<string>(row, 13, c[13])), cancellationToken).ConfigureAwait(false);
        return found;
    }
}
