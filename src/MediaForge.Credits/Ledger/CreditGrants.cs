using System.Data.Common;
using MediaForge.Credits.Categories;
using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Grants: credits added to a balance (purchases, bonuses, refunds, positive adjustments), each one ledger row and,
/// when the credits expire or are not <see cref="CreditCategory.Paid"/>, one lot with the category's priority. A failed commit is settled by the id of the ledger row, a replayed key by the
/// stored row.
/// </summary>
internal sealed class CreditGrants(
    CreditsDbContextHandle handle,
    CreditLedger ledger,
    Teams.CreditTeamUseRefunds teamUses,
    IOptions<CreditsOptions> options,
    CreditBurnOrder burnOrder,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<CreditService> logger)
{
    private const int MaxDescription = 500;

    private readonly DbContext db = handle.Context;

    public Task<CreditTransactionResult> AddCreditsAsync(string userId, long amount, CreditTransactionType type,
        string description, object? metadata, string? idempotencyKey, CreditCategory? category, CancellationToken cancellationToken)
    {
        GrantArguments(userId, type, description);
        var expiresAt = type == CreditTransactionType.Bonus && options.Value.BonusCreditLifetime is { } lifetime
            ? time.GetUtcNow() + lifetime
            : (DateTimeOffset?)null;
        return GrantAsync(userId, amount, type, description, CreditArguments.Metadata(metadata),
            CreditArguments.IdempotencyKey(idempotencyKey), reference: null, cancellationToken, expiresAt, category);
    }

    public Task<CreditTransactionResult> AddExpiringCreditsAsync(string userId, long amount, CreditTransactionType type, string description,
        DateTimeOffset expiresAt, object? metadata, string? idempotencyKey, CreditCategory? category, CancellationToken cancellationToken)
    {
        GrantArguments(userId, type, description);
        if (expiresAt <= time.GetUtcNow())
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAt), expiresAt, "Expiring credits need an expiry in the future.");
        }

        return GrantAsync(userId, amount, type, description, CreditArguments.Metadata(metadata),
            CreditArguments.IdempotencyKey(idempotencyKey), reference: null, cancellationToken, expiresAt, category);
    }

    public async Task<CreditTransactionResult> RefundUsageAsync(Guid transactionId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var charge = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.Id == transactionId && t.Type == CreditTransactionType.Usage && t.Amount < 0)
            .Select(t => new { t.UserId, t.Amount, t.Description, t.Reference })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No usage charge has transaction id '{transactionId}'.", nameof(transactionId));
        if (await teamUses.FindAsync(transactionId, charge.Reference, cancellationToken).ConfigureAwait(false) is not { } use)
        {
            return await RefundPartAsync(transactionId, charge.UserId, -charge.Amount, charge.Description, reason, cancellationToken).ConfigureAwait(false);
        }

        // A use of a team's wallet: each wallet gets its own part back (each refund keyed by its charge, so a retry or a
        // racing refund applies each once), and the wallet's part, once refunded by this call, leaves the member's limit.
        CreditTransactionResult? asked = null;
        // Stryker disable once Linq,Equality : the order only puts the asked part's refund last; `asked` below picks it by its id in any order
        foreach (var part in use.Parts.OrderBy(p => p.TransactionId == transactionId))
        {
            var refunded = await RefundPartAsync(part.TransactionId, part.Account, part.Amount, part.Description, reason, cancellationToken).ConfigureAwait(false);
            if (part.Account == use.WalletAccount && !refunded.IsReplay)
            {
                await teamUses.GiveBackAsync(use, part.Amount, cancellationToken).ConfigureAwait(false);
            }

            // Stryker disable once Conditional : the asked part is refunded last (the order above), so the last refund is its own
            asked = part.TransactionId == transactionId ? refunded : asked;
        }

        return asked!;
    }

    private Task<CreditTransactionResult> RefundPartAsync(Guid transactionId, string account, long amount, string description, string reason,
        CancellationToken cancellationToken) =>
        GrantAsync(account, amount, CreditTransactionType.Refund, $"Refund of {description}: {reason}",
            CreditArguments.Metadata(new { refundOf = transactionId, reason }), CreditOperationKeys.For("refund", transactionId.ToString()), transactionId.ToString(), cancellationToken);

    /// <summary>
    /// Grants validated credits, with an external reference on the ledger row (for purchases and webhooks), of
    /// <paramref name="category"/> (default: <see cref="CreditBurnOrder.DefaultFor"/> the type).
    /// </summary>
    public async Task<CreditTransactionResult> GrantAsync(string userId, long amount, CreditTransactionType type, string description,
        string? metadataJson, string? idempotencyKey, string? reference, CancellationToken cancellationToken, DateTimeOffset? expiresAt = null,
        CreditCategory? category = null)
    {
        CreditArguments.Amount(amount);
        var grantCategory = category ?? CreditBurnOrder.DefaultFor(type);
        var lot = new CreditLotPortion(grantCategory.Name, burnOrder.PriorityOf(grantCategory), expiresAt?.UtcDateTime ?? CreditGrant.NoExpiry, amount);
        using var activity = telemetry.StartGrant(userId, type, amount);
        // Stryker disable once Equality : at exactly MaxDescription characters the cut is the whole description, the same string
        var grant = new GrantRequest(userId, amount, type, description.Length > MaxDescription ? description[..MaxDescription] : description,
            metadataJson, idempotencyKey, reference, lot, CreditAttempts.NewOperationId(time));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AddOnceAsync(grant, cancellationToken).ConfigureAwait(false);
            }
            catch (CreditCommitOutcomeUnknownException unknown)
            {
                return await unknown.SettleAsync(ct => FindAppliedGrantAsync(grant, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (CreditAttempts.CanRetry(db, attempt, cancellationToken, exception))
            {
                // The next attempt looks the key up first (AddOnceAsync): a racing grant under the same key is replayed.
                CreditLedgerLog.Retry(logger, userId, attempt, exception.Message);
            }
        }
    }

    private static void GrantArguments(string userId, CreditTransactionType type, string description)
    {
        CreditArguments.UserId(userId);
        ArgumentNullException.ThrowIfNull(description);
        if (type is CreditTransactionType.Usage or CreditTransactionType.Expiration or CreditTransactionType.TransferOut or CreditTransactionType.TransferIn
            || !Enum.IsDefined(type))
        {
            throw new ArgumentException($"Credits cannot be added with transaction type '{type}'.", nameof(type));
        }
    }

    private async Task<CreditTransactionResult> AddOnceAsync(GrantRequest grant, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (grant.IdempotencyKey is not null
            && await FindGrantAsync(grant, cancellationToken).ConfigureAwait(false) is { } replay)
        {
            return replay;
        }

        await using var scope = await ledger.BeginAsync(cancellationToken).ConfigureAwait(false);

        var credited = await ledger.TryCreditAsync(grant.UserId, grant.Amount, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        if (credited is null)
        {
            await ledger.EnsureAccountAsync(grant.UserId, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
            credited = await ledger.TryCreditAsync(grant.UserId, grant.Amount, now.UtcDateTime, cancellationToken).ConfigureAwait(false)
                ?? throw new ArgumentOutOfRangeException(nameof(grant.Amount), grant.Amount,
                    $"Granting {grant.Amount} credits would take the balance of user '{grant.UserId}' over {CreditLimits.MaxBalance}.");
        }

        var row = new CreditTransaction
        {
            Id = grant.OperationId,
            UserId = grant.UserId,
            Amount = grant.Amount,
            BalanceAfter = credited.Balance,
            Type = grant.Type,
            Description = grant.Description,
            Metadata = grant.Metadata,
            IdempotencyKey = grant.IdempotencyKey,
            Reference = grant.Reference,
            CreatedAt = now.UtcDateTime,
        };
        await ledger.AppendAsync(row, null, cancellationToken).ConfigureAwait(false);
        await CreditEventOutbox.RaiseAsync(db, new Granted
        {
            EventId = CreditEventOutbox.NewId(now), WalletId = row.UserId, OccurredAt = now,
            Amount = row.Amount, Balance = row.BalanceAfter, TransactionType = row.Type, TransactionId = row.Id,
        }, cancellationToken).ConfigureAwait(false);
        await CreditBalanceAlerts.AfterCreditAsync(db, options.Value.Events.LowBalanceThreshold, row.UserId, row.BalanceAfter, row.Amount, now, cancellationToken)
            .ConfigureAwait(false);
        // Without a relational provider (EF InMemory in a host's unit tests) only expiring credits get a lot (and need
        // one); there the other categories are not tracked and the split reports them as paid.
        if (CreditBurnOrder.NeedsLot(grant.Lot.Category, grant.Lot.ExpiresAt)
            && (grant.Lot.ExpiresAt != CreditGrant.NoExpiry || db.Database.IsRelational()))
        {
            await CreditLots.AddAsync(db, grant.UserId, row.Id, grant.Lot, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
        }

        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        CreditLedgerLog.Granted(logger, row.UserId, row.Amount, row.Type, row.BalanceAfter);
        telemetry.Granted(row.Type, row.Amount);
        return new CreditTransactionResult { TransactionId = row.Id, Balance = row.BalanceAfter };
    }

    /// <summary>This very grant's outcome when its failed commit was applied after all (found by the id of its ledger row).</summary>
    private async Task<CreditTransactionResult?> FindAppliedGrantAsync(GrantRequest grant, CancellationToken cancellationToken)
    {
        var id = grant.OperationId;
        var applied = await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.Id == id)
            .Select(t => new { t.Amount, t.Type, t.BalanceAfter }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Stryker disable once Block : equivalent: without it the missing row's fields throw, which SettleAsync counts as not applied as well
        if (applied is null)
        {
            return null;
        }

        CreditLedgerLog.CommitSettled(logger, grant.UserId, id);
        CreditLedgerLog.Granted(logger, grant.UserId, applied.Amount, applied.Type, applied.BalanceAfter);
        telemetry.Granted(applied.Type, applied.Amount);
        return new CreditTransactionResult { TransactionId = id, Balance = applied.BalanceAfter };
    }

    /// <summary>The stored outcome of an earlier grant with the same key; throws if the key was used for something else.</summary>
    private async Task<CreditTransactionResult?> FindGrantAsync(GrantRequest grant, CancellationToken cancellationToken)
    {
        var earlier = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.UserId == grant.UserId && t.IdempotencyKey == grant.IdempotencyKey)
            .Select(t => new { t.Id, t.Amount, t.Type, t.BalanceAfter, t.Description, t.Metadata })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (earlier is null)
        {
            return null;
        }

        // The fingerprint. A key of the library's own names its operation whole (a repair may describe it otherwise);
        // a caller's key stands for the whole request.
        if (earlier.Amount != grant.Amount || earlier.Type != grant.Type
            || (!CreditOperationKeys.IsReserved(grant.IdempotencyKey!) && (earlier.Description != grant.Description || earlier.Metadata != grant.Metadata)))
        {
            CreditLedgerLog.KeyConflict(logger, grant.UserId, grant.IdempotencyKey!);
            throw new IdempotencyKeyConflictException(grant.UserId, grant.IdempotencyKey!);
        }

        CreditLedgerLog.Replay(logger, grant.UserId, grant.IdempotencyKey!);
        return new CreditTransactionResult { TransactionId = earlier.Id, Balance = earlier.BalanceAfter, IsReplay = true };
    }

    /// <summary>A validated grant; its operation id is the id of the ledger row it writes, chosen once for every attempt.</summary>
    private sealed record GrantRequest(string UserId, long Amount, CreditTransactionType Type, string Description, string? Metadata,
        string? IdempotencyKey, string? Reference, CreditLotPortion Lot, Guid OperationId);
}
