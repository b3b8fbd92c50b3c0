using MediaForge.Credits.Expiry;

namespace MediaForge.Credits.Holds;

/// <summary>
/// What a capture of a reservation charges, and the rows that record the charge once the balance moved: the lots it
/// consumes, the usage ledger row, the usage log, and the reservation's link to its ledger row.
/// </summary>
internal sealed class CreditCaptureCharge(DbContext db, Categories.CreditBurnOrder burnOrder)
{
    /// <summary>
    /// What a capture of <paramref name="hold"/> (with the member's <paramref name="part"/> of a split team hold)
    /// charges: <paramref name="actualAmount"/> or all of it; nothing for an unlimited user.
    /// </summary>
    public static long Amount(CreditReservationRow hold, long? actualAmount, CreditReservationRow? part = null)
    {
        var held = hold.Amount + (part?.Amount ?? 0);
        var charge = hold.IsUnlimited ? 0 : actualAmount ?? held;
        if (charge < 0 || charge > held)
        {
            throw new ArgumentOutOfRangeException(nameof(actualAmount), actualAmount,
                $"A capture charges from 0 to the held {held} credits; {actualAmount} was asked for.");
        }

        return charge;
    }

    /// <summary>
    /// After the balance moved: the lots the charge consumes, the usage ledger row and the usage log of a capture; for a
    /// split team hold also the member's own part (<paramref name="part"/>): its lots and its ledger row, referring to the
    /// hold as the wallet's does, under the one usage log. Returns the id of the ledger row the usage log names (the
    /// wallet's, else the member's; none when nothing was charged). <paramref name="hasLots"/> false: the account's
    /// balance row had no next expiry when the charge took its credits, so it has no lot to consume (as a deduction).
    /// </summary>
    public async Task<Guid?> RecordAsync(CreditReservationRow hold, long charge, long balance, DateTimeOffset now, CancellationToken ct,
        CreditHeldPart? part = null, bool hasLots = true)
    {
        if (hasLots)
        {
            await ConsumeAsync(hold.UserId, charge, now, ct).ConfigureAwait(false);
        }

        var partRow = part is { Charged: > 0 } charged ? Row(hold, charged.Account, charged.Charged, charged.Balance, now) : null;
        if (partRow is not null)
        {
            await ConsumeAsync(partRow.UserId, part!.Charged, now, ct).ConfigureAwait(false);
        }

        var usage = new UsageLog
        {
            Id = Guid.CreateVersion7(now),
            UserId = hold.UserId,
            MemberId = hold.MemberId,
            Feature = hold.Feature,
            Model = hold.Model,
            Price = hold.Amount + (part?.Held ?? 0),
            CreditsUsed = charge + (part?.Charged ?? 0),
            IsUnlimited = hold.IsUnlimited,
            CreatedAt = now.UtcDateTime,
        };
        var ledgerRow = charge == 0 ? partRow : Row(hold, hold.UserId, charge, balance, now);
        if (partRow is not null && ledgerRow != partRow)
        {
            await CreditLedger.For(db).AppendAsync(partRow, null, ct).ConfigureAwait(false);
        }

        usage.TransactionId = ledgerRow?.Id;
        await CreditLedger.For(db).AppendAsync(ledgerRow, usage, ct).ConfigureAwait(false);
        if (ledgerRow is not null)
        {
            await Storage.CreditHoldStatements.For(db).LinkAsync(hold.Id, ledgerRow.Id, ct).ConfigureAwait(false);
        }

        return ledgerRow?.Id;
    }

    /// <summary>The held credits are spent now: take them by the burn rule (lapsed lots first).</summary>
    private Task ConsumeAsync(string account, long charge, DateTimeOffset now, CancellationToken ct) =>
        // Stryker disable once Conditional,Equality : equivalent: saves two reads; consuming 0 credits takes from no lot
        charge > 0 ? Categories.CreditBurn.ConsumeAsync(db, account, charge, burnOrder.RestPriority, now.UtcDateTime, ct) : Task.CompletedTask;

    private static CreditTransaction Row(CreditReservationRow hold, string account, long charge, long balance, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        UserId = account,
        Amount = -charge,
        BalanceAfter = balance,
        Type = CreditTransactionType.Usage,
        Description = $"{hold.Feature} ({hold.Model})",
        Reference = hold.Id.ToString(),
        CreatedAt = now.UtcDateTime,
    };
}

/// <summary>The member's own part of a captured split team hold: the account, what it held, what it was charged and its balance after.</summary>
internal sealed record CreditHeldPart(string Account, long Held, long Charged, long Balance);
