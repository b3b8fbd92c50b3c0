using MediaForge.Credits.Teams;

namespace MediaForge.Credits.Ledger;

/// <summary>
/// Runs deductions of several callers in one transaction, in the given order (see <see cref="CreditDeductionBatcher"/>,
/// which queues them). Each one is the same statements as a deduction on its own, so each keeps its own outcome. Team
/// deductions (a member spending from a team's wallet) run first: every member row of the batch is locked first, in
/// one order, then each team deduction in the batch's order, then the others; so the batch takes rows in the order of
/// every team spend (member rows, then balance rows).
/// </summary>
internal sealed class CreditDeductionBatch(CreditLedger ledger, CreditDeductionWriter writer, CreditTeamDeductionWriter teamWriter, CreditTeamDeductionFold fold,
    ILogger<CreditService> logger)
{
    /// <summary>
    /// Runs the batch: a refused deduction writes nothing (or only the lapses it found). When one of them fails, the
    /// transaction is rolled back whole and the batch reports which one failed with what (see
    /// <see cref="CreditDeductionBatcher"/> for who gets the failure).
    /// </summary>
    public async Task<CreditDeductionBatchOutcome> DeductAsync(IReadOnlyList<CreditDeductionRequest> batch, CancellationToken cancellationToken)
    {
        var outcomes = new CreditDeductionOutcome[batch.Count];
        var scope = await ledger.BeginAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await ledger.ApplyBatchSettingsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // The batch's own statement: no deduction of it failed, so none is blamed; each runs alone.
                return new CreditDeductionBatchOutcome(null, -1, exception);
            }

            var members = await LockMembersAsync(batch, cancellationToken).ConfigureAwait(false);
            if (members.Failure is not null)
            {
                CreditLedgerLog.BatchRolledBack(logger, batch.Count, members.Failure.Message);
                return new CreditDeductionBatchOutcome(null, -1, members.Failure);
            }

            var folded = new HashSet<int>();
            try
            {
                await FoldAsync(batch, members.Locked!, outcomes, folded, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                CreditLedgerLog.BatchRolledBack(logger, batch.Count, exception.Message);
                return new CreditDeductionBatchOutcome(null, -1, exception);
            }

            foreach (var round in Rounds(batch, folded))
            {
                try
                {
                    if (batch[round[0]] is { MemberId: { } member } team)
                    {
                        outcomes[round[0]] = await teamWriter.ApplyInBatchAsync(team, members.Locked![(team.UserId, member)], cancellationToken).ConfigureAwait(false);
                    }
                    // Stryker disable once Equality : equivalent: a round of one through ApplyManyAsync is the statement ApplyAsync runs for it
                    else if (round.Count > 1)
                    {
                        await writer.ApplyManyAsync(batch, round, outcomes, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        outcomes[round[0]] = await writer.ApplyAsync(batch[round[0]], cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception exception)
                {
                    // Stryker disable once all : decides only whether a log line is written
                    if (batch.Count > 1)
                    {
                        CreditLedgerLog.BatchRolledBack(logger, batch.Count, exception.Message);
                    }

                    // Which deduction of a round of several failed is not known: then none is blamed, all run alone
                    // (where the one that fails fails again, for its own caller).
                    return new CreditDeductionBatchOutcome(null, round.Count == 1 ? round[0] : -1, exception);
                }
            }

            // A failure from here on may have committed: it is every caller's error, as it would be for one deduction.
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }

        var results = new CreditDeductionResult[outcomes.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Request.MemberId is null)
            {
                writer.Report(outcomes[i]);
            }
            else
            {
                teamWriter.Report(outcomes[i]);
            }

            results[i] = outcomes[i].Result;
        }

        return new CreditDeductionBatchOutcome(results, -1, null);
    }

    /// <summary>
    /// Locks the member row of every team deduction of the batch, each once, wallet after wallet (ordinal), each wallet's
    /// members in one statement in user id order (<see cref="CreditTeamDeductionWriter.LockManyAsync"/>, decision 0048),
    /// before any balance row; what each lock answered (a refusal for a non-member or a frozen team), or the failure.
    /// </summary>
    private async Task<(Dictionary<(string Wallet, string Member), CreditDeductionError>? Locked, Exception? Failure)> LockMembersAsync(
        IReadOnlyList<CreditDeductionRequest> batch, CancellationToken cancellationToken)
    {
        var locked = new Dictionary<(string Wallet, string Member), CreditDeductionError>();
        // Stryker disable once Linq : equivalent in results: one order for every process's batches avoids deadlocks between them (a deadlock's victim runs alone)
        var wallets = batch.Where(b => b.MemberId is not null).GroupBy(b => b.UserId, b => b.MemberId!, StringComparer.Ordinal)
            .OrderBy(w => w.Key, StringComparer.Ordinal);
        try
        {
            foreach (var wallet in wallets)
            {
                // Stryker disable once Linq : equivalent in results: the lock order, as above
                var members = wallet.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                foreach (var (member, answer) in await teamWriter.LockManyAsync(wallet.Key, members, cancellationToken).ConfigureAwait(false))
                {
                    locked[(wallet.Key, member)] = answer;
                }
            }
        }
        catch (Exception exception)
        {
            return (null, exception);
        }

        return (locked, null);
    }

    /// <summary>
    /// Each wallet's team deductions: the prefix that would be charged one by one, folded into one debit
    /// (<see cref="CreditTeamDeductionFold"/>); the indexes it charged go in <paramref name="folded"/>.
    /// </summary>
    private async Task FoldAsync(IReadOnlyList<CreditDeductionRequest> batch, Dictionary<(string Wallet, string Member), CreditDeductionError> locked,
        CreditDeductionOutcome[] outcomes, HashSet<int> folded, CancellationToken cancellationToken)
    {
        var wallets = Enumerable.Range(0, batch.Count).Where(i => batch[i].MemberId is not null).GroupBy(i => batch[i].UserId, StringComparer.Ordinal);
        foreach (var group in wallets)
        {
            var indexes = group.ToList();
            var charged = await fold.TryFoldAsync(batch, indexes, locked, outcomes, cancellationToken).ConfigureAwait(false);
            folded.UnionWith(indexes.Take(charged));
        }
    }

    /// <summary>
    /// The batch's deductions in the order they run: team deductions first, one at a time in the batch's order; then,
    /// where the ledger takes deductions of many users in one statement, the others in rounds of different users (a
    /// user's n-th deduction in round n, so each user's keep their order); otherwise one at a time.
    /// </summary>
    private IEnumerable<IReadOnlyList<int>> Rounds(IReadOnlyList<CreditDeductionRequest> batch, HashSet<int> folded)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].MemberId is not null && !folded.Contains(i))
            {
                yield return [i];
            }
        }

        var others = Enumerable.Range(0, batch.Count).Where(i => batch[i].MemberId is null).ToList();
        // Stryker disable once all : equivalent in results: rounds only put different users' deductions in one statement; one at a time each gets the same outcome
        if (!ledger.CanDebitAndAppendMany || others.Count < 2)
        {
            foreach (var i in others)
            {
                yield return [i];
            }

            yield break;
        }

        var rounds = new List<List<int>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var i in others)
        {
            var round = seen.TryGetValue(batch[i].UserId, out var previous) ? previous + 1 : 0;
            seen[batch[i].UserId] = round;
            if (round == rounds.Count)
            {
                rounds.Add([]);
            }

            rounds[round].Add(i);
        }

        foreach (var round in rounds)
        {
            yield return round;
        }
    }
}
