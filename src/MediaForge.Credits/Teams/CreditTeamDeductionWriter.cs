using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Holds;
using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Teams;

/// <summary>
/// Writes one use of a team's wallet inside an open transaction: the member's row locked (active member, active team),
/// admins unlimited, the split between the member's own credits and the wallet under the funding policy, the limit
/// checked for the wallet's part, the conditional debits (both balance rows locked in ordinal id order first when two
/// wallets pay), the lots, the wallet's count against the member's limit, the ledger rows and one usage log on the
/// wallet naming the member. A refusal writes nothing the caller commits.
/// </summary>
internal sealed class CreditTeamDeductionWriter(
    CreditsDbContextHandle handle,
    CreditLedger ledger,
    CreditAccountReader accounts,
    CreditTeamSpending spending,
    CreditDeductionReplays replays,
    IOptions<CreditsOptions> options,
    Categories.CreditBurnOrder burnOrder,
    TopUps.CreditTopUpTriggers topUps,
    TimeProvider time,
    CreditsTelemetry telemetry,
    ILogger<CreditService> logger)
{
    private readonly DbContext db = handle.Context;

    /// <summary>The statements of one team deduction (<see cref="CreditDeductionRequest.MemberId"/> set) inside an open transaction.</summary>
    public async Task<CreditDeductionOutcome> ApplyAsync(CreditDeductionRequest usage, CancellationToken cancellationToken) =>
        await ApplyLockedAsync(usage, await LockAsync(usage, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Locks the spending member's row (the first row of every team spend); <see cref="CreditDeductionError.None"/> when
    /// locked, else why the member may not spend. A group-commit batch locks every member row of its team deductions
    /// (<see cref="LockManyAsync"/>), in one order, before any balance row.
    /// </summary>
    public Task<CreditDeductionError> LockAsync(CreditDeductionRequest usage, CancellationToken cancellationToken) =>
        spending.LockMemberAsync(CreditWalletAccounts.TeamOf(usage.UserId)!, usage.MemberId!, cancellationToken);

    /// <summary>
    /// <see cref="LockAsync"/> for several members spending from one team's <paramref name="wallet"/> (distinct, in
    /// ordinal order), in one statement where all may spend: each member's answer as <see cref="LockAsync"/> gives it.
    /// </summary>
    public Task<Dictionary<string, CreditDeductionError>> LockManyAsync(string wallet, IReadOnlyList<string> members, CancellationToken cancellationToken) =>
        spending.LockMembersAsync(CreditWalletAccounts.TeamOf(wallet)!, members, cancellationToken);

    /// <summary>
    /// <see cref="ApplyAsync"/> inside a group-commit batch, after <see cref="LockAsync"/> answered
    /// <paramref name="locked"/>: a key already used (committed, or earlier in this batch's transaction) replays its
    /// outcome instead of failing the batch on the unique index.
    /// </summary>
    public async Task<CreditDeductionOutcome> ApplyInBatchAsync(CreditDeductionRequest usage, CreditDeductionError locked, CancellationToken cancellationToken)
    {
        // Stryker disable once Boolean : equivalent: no grant row on a team wallet carries a caller's key (grants to a wallet are the library's, under the reserved mf: prefix callers may not use; a transfer's key stays on the sender's row)
        if (locked == CreditDeductionError.None && usage.IdempotencyKey is not null
            && await replays.FindAsync(usage, includeGrants: true, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            // Stryker disable once Boolean : Wrote is read only by a deduction run alone (DeductOnceAsync); this is the batch path, whose transaction commits whatever its outcomes say
            return new CreditDeductionOutcome(usage, false, 0, earlier);
        }

        return await ApplyLockedAsync(usage, locked, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CreditDeductionOutcome> ApplyLockedAsync(CreditDeductionRequest usage, CreditDeductionError refusal, CancellationToken cancellationToken)
    {
        var (wallet, member) = (usage.UserId, usage.MemberId!);
        var teamId = CreditWalletAccounts.TeamOf(wallet)!;
        if (refusal != CreditDeductionError.None)
        {
            return Refused(usage, refusal, 0);
        }

        var now = time.GetUtcNow();
        var at = now.UtcDateTime;
        var (row, charge) = CreditDeductionWriter.UsageRows(usage, now);
        await ledger.EnsureAccountAsync(wallet, at, cancellationToken).ConfigureAwait(false);
        if (await spending.IsProductAdminAsync(member, cancellationToken).ConfigureAwait(false))
        {
            // Unlimited: logged on the wallet with the member, nothing charged, nothing counted against the limit.
            (row.CreditsUsed, row.IsUnlimited, row.TransactionId) = (0, true, null);
            await ledger.AppendAsync(null, row, cancellationToken).ConfigureAwait(false);
            return CreditDeductionWriter.Charged(usage, row, null, (await accounts.ReadAsync(wallet, cancellationToken).ConfigureAwait(false)).Balance);
        }

        var split = await spending.SplitAsync(teamId, member, usage.Price, at, cancellationToken).ConfigureAwait(false);
        var (period, teamPart) = (split.Period, split.TeamPart);
        if (split.OverLimit)
        {
            return Refused(usage, CreditDeductionError.MemberLimitReached, 0);
        }

        var personalPart = usage.Price - teamPart;
        LedgerBalance? personal = null, team = null;
        if ((personalPart > 0 && (personal = await DebitAsync(member, personalPart, at, cancellationToken).ConfigureAwait(false)) is null)
            || (teamPart > 0 && (team = await DebitAsync(wallet, teamPart, at, cancellationToken).ConfigureAwait(false)) is null))
        {
            return Refused(usage, CreditDeductionError.InsufficientCredits, (await accounts.ReadAsync(wallet, cancellationToken).ConfigureAwait(false)).Balance);
        }

        if (teamPart > 0 && !await spending.TryCountAsync(teamId, member, teamPart, period, cancellationToken).ConfigureAwait(false))
        {
            // The member's row is locked and the headroom was read under that lock: this cannot happen; roll back rather than overshoot.
            throw new InvalidOperationException($"The limit of member '{member}' of team '{teamId}' changed under its row lock.");
        }

        // The wallet's row carries the key (and the deduction's charge id); the member's part has its own row, keyless.
        var teamCharge = team is null ? null : Charge(charge, charge.Id, wallet, teamPart, team.Balance, usage.IdempotencyKey);
        var personalCharge = personal is null ? null
            : Charge(charge, team is null ? charge.Id : CreditAttempts.NewOperationId(time), member, personalPart, personal.Balance, null);
        row.TransactionId = (teamCharge ?? personalCharge)!.Id;
        if (teamCharge is not null && personalCharge is not null)
        {
            await ledger.AppendAsync(personalCharge, null, cancellationToken).ConfigureAwait(false);
        }

        await ledger.AppendAsync(teamCharge ?? personalCharge, row, cancellationToken).ConfigureAwait(false);
        var threshold = options.Value.Events.LowBalanceThreshold;
        await CreditBalanceAlerts.AfterDebitAsync(db, threshold, wallet, team?.Balance ?? 0, team is null ? 0 : teamPart, now, cancellationToken).ConfigureAwait(false);
        await CreditBalanceAlerts.AfterDebitAsync(db, threshold, member, personal?.Balance ?? 0, personal is null ? 0 : personalPart, now, cancellationToken).ConfigureAwait(false);
        if (team is not null)
        {
            await topUps.AfterDebitAsync(db, wallet, team.Balance, teamPart, now, cancellationToken).ConfigureAwait(false);
        }

        if (personal is not null)
        {
            await topUps.AfterDebitAsync(db, member, personal.Balance, personalPart, now, cancellationToken).ConfigureAwait(false);
        }

        return CreditDeductionWriter.Charged(usage, row, teamCharge ?? personalCharge);
    }

    /// <summary>Logs and counts a team deduction whose transaction has ended.</summary>
    public void Report(CreditDeductionOutcome outcome)
    {
        var (usage, result) = (outcome.Request, outcome.Result);
        switch (result.Error)
        {
            case CreditDeductionError.None when !result.IsReplay:
                var unlimited = result.TransactionId is null;
                CreditTeamLog.Spent(logger, usage.MemberId!, usage.UserId, usage.Feature, usage.Model, result.CreditsDeducted, unlimited);
                telemetry.Deducted(usage.Feature, usage.Model, result.CreditsDeducted, unlimited);
                break;
            case CreditDeductionError.NotTeamMember or CreditDeductionError.TeamFrozen or CreditDeductionError.MemberLimitReached or CreditDeductionError.InsufficientCredits:
                CreditTeamLog.SpendRefused(logger, usage.MemberId!, usage.UserId, usage.Feature, usage.Model, result.Error);
                telemetry.DeductionRejected(usage.Feature, usage.Model, Reason(result.Error));
                break;
        }
    }

    /// <summary>The telemetry reason of a refusal, as the HTTP problem's code.</summary>
    public static string Reason(CreditDeductionError error) => error switch
    {
        CreditDeductionError.NotTeamMember => "not_team_member",
        CreditDeductionError.TeamFrozen => "team_frozen",
        CreditDeductionError.MemberLimitReached => "member_limit_reached",
        _ => "insufficient_credits",
    };

    /// <summary>The conditional debit of one wallet's part, after writing its lapses if refused; its lots consumed.</summary>
    private async Task<LedgerBalance?> DebitAsync(string account, long amount, DateTime at, CancellationToken cancellationToken)
    {
        LedgerBalance? debited = null;
        await accounts.TryDebitAfterLapsesAsync(account, amount, at,
            async ct => (debited = await ledger.TryDebitAsync(account, amount, at, ct).ConfigureAwait(false)) is not null, cancellationToken).ConfigureAwait(false);
        if (debited is { NextExpiryAt: not null })
        {
            await Categories.CreditBurn.ConsumeAsync(db, account, amount, burnOrder.RestPriority, at, cancellationToken).ConfigureAwait(false);
        }

        return debited;
    }

    private static CreditTransaction Charge(CreditTransaction template, Guid id, string account, long amount, long balanceAfter, string? key) => new()
    {
        Id = id,
        UserId = account,
        Amount = -amount,
        BalanceAfter = balanceAfter,
        Type = CreditTransactionType.Usage,
        Description = template.Description,
        Metadata = template.Metadata,
        IdempotencyKey = key,
        Reference = template.Reference,
        CreatedAt = template.CreatedAt,
    };

    /// <summary>A refusal; its outcome's <c>Available</c> is 0: a team's refusal is reported by its error alone (<see cref="Report"/>).</summary>
    private static CreditDeductionOutcome Refused(CreditDeductionRequest usage, CreditDeductionError error, long balance) =>
        new(usage, false, 0, new CreditDeductionResult { Success = false, CreditsDeducted = 0, RemainingBalance = balance, Error = error });
}
