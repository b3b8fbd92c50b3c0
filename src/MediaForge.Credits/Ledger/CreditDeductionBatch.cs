namespace MediaForge.Credits.Ledger;

/// <summary>
/// Runs deductions of several callers in one transaction, in the given order (see <see cref="CreditDeductionBatcher"/>,
/// which queues them). Each one is the same statements as a deduction on its own, so each keeps its own outcome.
/// </summary>
internal sealed class CreditDeductionBatch(CreditLedger ledger, CreditDeductionWriter writer, ILogger<CreditService> logger)
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
                return new CreditDeductionBatchOutcome(null, 0, exception);
            }

            foreach (var round in Rounds(batch))
            {
                try
                {
                    if (round.Count > 1)
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
            writer.Report(outcomes[i]);
            results[i] = outcomes[i].Result;
        }

        return new CreditDeductionBatchOutcome(results, -1, null);
    }

    /// <summary>
    /// The batch's deductions in the order they run: where the ledger takes deductions of many users in one statement,
    /// in rounds of different users (a user's n-th deduction in round n, so each user's keep their order); otherwise
    /// one at a time.
    /// </summary>
    private IEnumerable<IReadOnlyList<int>> Rounds(IReadOnlyList<CreditDeductionRequest> batch)
    {
        if (!ledger.CanDebitAndAppendMany || batch.Count < 2)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                yield return [i];
            }

            yield break;
        }

        var rounds = new List<List<int>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
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
