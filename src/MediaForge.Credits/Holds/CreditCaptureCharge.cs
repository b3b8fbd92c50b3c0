using MediaForge.Credits.Expiry;

namespace MediaForge.Credits.Holds;

/// <summary>
/// What a capture of a reservation charges, and the rows that record the charge once the balance moved: the lots it
/// consumes, the usage ledger row, the usage log, and the reservation's link to its ledger row.
/// </summary>
internal sealed class CreditCaptureCharge(DbContext db, Categories.CreditBurnOrder burnOrder)
{
    /// <summary>What a capture of <paramref name="hold"/> charges: <paramref name="actualAmount"/> or all of it; nothing for an unlimited user.</summary>
    public static long Amount(CreditReservationRow hold, long? actualAmount)
    {
        var charge = hold.IsUnlimited ? 0 : actualAmount ?? hold.Amount;
        if (charge < 0 || charge > hold.Amount)
        {
            throw new ArgumentOutOfRangeException(nameof(actualAmount), actualAmount,
                $"A capture charges from 0 to the held {hold.Amount} credits; {actualAmount} was asked for.");
        }

        return charge;
    }

    /// <summary>
    /// After the balance moved: the lots the charge consumes, the usage ledger row and the usage log of a capture.
    /// Returns the ledger row's id (none when nothing was charged).
    /// </summary>
    public async Task<Guid?> RecordAsync(CreditReservationRow hold, long charge, long balance, DateTimeOffset now, CancellationToken ct)
    {
        if (charge > 0)
        {
            // The held credits are spent now: take them by the burn rule (lapsed lots first).
            await Categories.CreditBurn.ConsumeAsync(db, hold.UserId, charge, burnOrder.RestPriority, now.UtcDateTime, ct).ConfigureAwait(false);
        }

        var usage = new UsageLog
        {
            Id = Guid.CreateVersion7(now),
            UserId = hold.UserId,
            MemberId = hold.MemberId,
            Feature = hold.Feature,
            Model = hold.Model,
            Price = hold.Amount,
            CreditsUsed = charge,
            IsUnlimited = hold.IsUnlimited,
            CreatedAt = now.UtcDateTime,
        };
        var ledgerRow = charge == 0 ? null : new CreditTransaction
        {
            Id = Guid.CreateVersion7(now),
            UserId = hold.UserId,
            Amount = -charge,
            BalanceAfter = balance,
            Type = CreditTransactionType.Usage,
            Description = $"{hold.Feature} ({hold.Model})",
            Reference = hold.Id.ToString(),
            CreatedAt = now.UtcDateTime,
        };
        usage.TransactionId = ledgerRow?.Id;
        await CreditLedger.For(db).AppendAsync(ledgerRow, usage, ct).ConfigureAwait(false);
        if (ledgerRow is not null)
        {
            await db.Set<CreditReservation>().Where(r => r.Id == hold.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.TransactionId, ledgerRow.Id), ct).ConfigureAwait(false);
        }

        return ledgerRow?.Id;
    }
}
