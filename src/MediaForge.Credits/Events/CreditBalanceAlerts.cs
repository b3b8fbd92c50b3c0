namespace MediaForge.Credits.Events;

/// <summary>
/// <see cref="Depleted"/> and <see cref="LowBalance"/> from a debit's own before and after (exact: every debit of a
/// wallet is serialized on its balance row, so one debit, and one only, crosses each time the balance goes down past a
/// line), and the low-balance alert state per wallet (<c>credit_alert_states</c>): an alert disarms it, a grant that
/// takes the balance back to the threshold arms it again. Nothing is read or written when no line is crossed, so an
/// ordinary deduction costs nothing more.
/// </summary>
internal static class CreditBalanceAlerts
{
    /// <summary>After a debit of <paramref name="debited"/> left <paramref name="balance"/>, in the debit's transaction.</summary>
    public static async Task AfterDebitAsync(DbContext db, long threshold, string walletId, long balance, long debited, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (debited <= 0)
        {
            return;
        }

        if (threshold > 0 && balance < threshold && balance + debited >= threshold
            && await DisarmAsync(db, walletId, now.UtcDateTime, cancellationToken).ConfigureAwait(false))
        {
            await CreditEventOutbox.RaiseAsync(db, new LowBalance
            {
                EventId = CreditEventOutbox.NewId(now), WalletId = walletId, OccurredAt = now, Balance = balance, Threshold = threshold,
            }, cancellationToken).ConfigureAwait(false);
        }

        if (balance == 0)
        {
            await CreditEventOutbox.RaiseAsync(db, new Depleted
            {
                EventId = CreditEventOutbox.NewId(now), WalletId = walletId, OccurredAt = now, Amount = debited,
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After a credit of <paramref name="credited"/> left <paramref name="balance"/>: arms the alert again if it crossed up.</summary>
    public static async Task AfterCreditAsync(DbContext db, long threshold, string walletId, long balance, long credited, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (threshold > 0 && balance >= threshold && balance - credited < threshold)
        {
            var at = now.UtcDateTime;
            await db.Set<CreditAlertState>().Where(s => s.WalletId == walletId && s.LowBalanceAlerted)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LowBalanceAlerted, false).SetProperty(a => a.UpdatedAt, at), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Whether the wallet was armed (no row, or not alerted); it is disarmed now. Runs under the balance-row lock.</summary>
    private static async Task<bool> DisarmAsync(DbContext db, string walletId, DateTime now, CancellationToken cancellationToken)
    {
        if (await db.Set<CreditAlertState>().Where(s => s.WalletId == walletId && !s.LowBalanceAlerted)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LowBalanceAlerted, true).SetProperty(a => a.UpdatedAt, now), cancellationToken)
                .ConfigureAwait(false) == 1)
        {
            return true;
        }

        if (await db.Set<CreditAlertState>().AnyAsync(s => s.WalletId == walletId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await db.InsertDetachedAsync(new CreditAlertState { WalletId = walletId, LowBalanceAlerted = true, UpdatedAt = now }, cancellationToken)
            .ConfigureAwait(false);
        return true;
    }
}
