using MediaForge.Credits.Events;

namespace MediaForge.Credits.Teams;

/// <summary>
/// Folds a group-commit batch's team deductions from one wallet into one debit (decision 0044): after every member row
/// of the batch is locked, the longest prefix of the wallet's deductions (in the batch's order) that would each be
/// charged if run one by one (an active member who is not an admin, no key, within the member's headroom as it stands
/// after the earlier ones, within the wallet's spendable credits) is debited by one conditional statement for its sum,
/// its lots consumed once, each member's count raised once by that member's part (one statement for the members whose
/// parts are equal); each deduction still gets its own ledger row (with the balance after it, as if run alone), usage
/// log and outcome. Everything from the first deduction that does not qualify runs one by one as before, so refusals
/// are exactly those of one-by-one. Only under <see cref="CreditTeamFundingPolicy.TeamOnly"/> (the only team
/// deductions batched): one wallet pays each in full.
/// </summary>
internal sealed class CreditTeamDeductionFold(
    CreditsDbContextHandle handle,
    CreditLedger ledger,
    CreditAccountReader accounts,
    CreditTeamSpending spending,
    IOptions<CreditsOptions> options,
    Categories.CreditBurnOrder burnOrder,
    TopUps.CreditTopUpTriggers topUps,
    TimeProvider time)
{
    private readonly DbContext db = handle.Context;

    /// <summary>
    /// Folds the qualifying prefix of <paramref name="group"/> (indexes into <paramref name="batch"/> of one wallet's
    /// team deductions, in order; their member rows locked, with the answers in <paramref name="locked"/>) and writes
    /// its outcomes; returns how many of the group it charged (0: none folded, all run one by one).
    /// </summary>
    public async Task<int> TryFoldAsync(IReadOnlyList<CreditDeductionRequest> batch, IReadOnlyList<int> group,
        IReadOnlyDictionary<(string Wallet, string Member), CreditDeductionError> locked, CreditDeductionOutcome[] outcomes, CancellationToken cancellationToken)
    {
        // Stryker disable once Logical,Block : a group of one goes on to the check of candidates below (at most one) and returns 0 there; a group under another policy never forms (CanCoalesce batches team deductions only under TeamOnly)
        if (group.Count < 2 || options.Value.Teams.FundingPolicy != CreditTeamFundingPolicy.TeamOnly)
        {
            return 0;
        }

        var wallet = batch[group[0]].UserId;
        var teamId = CreditWalletAccounts.TeamOf(wallet)!;
        var now = time.GetUtcNow();
        var period = spending.PeriodOf(now.UtcDateTime);
        var candidates = group.TakeWhile(i => batch[i].IdempotencyKey is null && locked[(wallet, batch[i].MemberId!)] == CreditDeductionError.None).ToList();
        var members = candidates.Select(i => batch[i].MemberId!).Distinct(StringComparer.Ordinal).ToList();
        if (candidates.Count < 2 || await spending.AnyProductAdminAsync(members, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        var counts = await spending.CountsAsync(teamId, members, period, cancellationToken).ConfigureAwait(false);
        var available = (await accounts.ReadAsync(wallet, cancellationToken).ConfigureAwait(false)).Available;
        var (taken, sum) = (0, 0L);
        var counted = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var i in candidates)
        {
            var (member, price) = (batch[i].MemberId!, batch[i].Price);
            var spent = counted.GetValueOrDefault(member);
            if (spent + price > counts[member].Headroom || sum + price > available)
            {
                break;
            }

            (counted[member], sum, taken) = (spent + price, sum + price, taken + 1);
        }

        if (taken < 2)
        {
            return 0;
        }

        // One conditional debit for the sum: it fits exactly when every partial sum does (prices are positive), so each
        // deduction of the prefix would have been charged one by one. Refused after all (a lapse): nothing folded.
        var at = now.UtcDateTime;
        var debited = await ledger.TryDebitAsync(wallet, sum, at, cancellationToken).ConfigureAwait(false);
        if (debited is null)
        {
            return 0;
        }

        if (debited.NextExpiryAt is not null)
        {
            // The burn rule takes lots in one fixed order: consuming the sum once leaves them as consuming each in turn.
            await Categories.CreditBurn.ConsumeAsync(db, wallet, sum, burnOrder.RestPriority, at, cancellationToken).ConfigureAwait(false);
        }

        // One conditional update per amount counted (in a busy batch most members spend the same price once or twice).
        foreach (var same in counted.GroupBy(c => c.Value, c => c.Key))
        {
            var (amount, sharing) = (same.Key, same.ToList());
            if (!await spending.TryCountManyAsync(teamId, sharing, amount, period, cancellationToken).ConfigureAwait(false))
            {
                // The headroom was read under the members' row locks: this cannot happen; roll back rather than overshoot,
                // naming the members whose count did not move (read again, in this transaction).
                var recounted = await spending.CountsAsync(teamId, sharing, period, cancellationToken).ConfigureAwait(false);
                var uncounted = string.Join("', '", sharing.Where(m => recounted[m].Spent != counts[m].Spent + amount));
                throw new InvalidOperationException($"The limit of member '{uncounted}' of team '{teamId}' changed under its row lock.");
            }
        }

        // Each deduction's ledger row (with the balance after it) and usage log, in the batch's order, in one command.
        var (charges, rows, after) = (new CreditTransaction[taken], new UsageLog[taken], debited.Balance + sum);
        for (var k = 0; k < taken; k++)
        {
            (rows[k], charges[k]) = CreditDeductionWriter.UsageRows(batch[candidates[k]], now);
            after -= batch[candidates[k]].Price;
            charges[k].BalanceAfter = after;
        }

        await ledger.AppendUsesAsync(charges, rows, cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < taken; k++)
        {
            var i = candidates[k];
            // Each deduction's own before and after, as one by one: the one that crosses a line raises its alert or top-up
            // (nothing is read or written for the others).
            await CreditBalanceAlerts.AfterDebitAsync(db, options.Value.Events.LowBalanceThreshold, wallet, charges[k].BalanceAfter, batch[i].Price, now, cancellationToken).ConfigureAwait(false);
            await topUps.AfterDebitAsync(db, wallet, charges[k].BalanceAfter, batch[i].Price, now, cancellationToken).ConfigureAwait(false);
            outcomes[i] = CreditDeductionWriter.Charged(batch[i], rows[k], charges[k]);
        }

        return taken;
    }
}
