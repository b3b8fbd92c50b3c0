using System.Globalization;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// Whether a complete credit schema can be trusted by the reports: its recorded version, and the derived usage data
/// (hourly roll-up, account counters, running totals) against the raw usage logs, sampled with a few bounded queries
/// (index seeks and the logs of two hours): the oldest hour of history, where an upgrade without back-fill shows, and
/// the latest closed hour. The current hour is left out, so a use written meanwhile is not taken for a mismatch.
/// </summary>
internal sealed class CreditsSchemaCheck(DbContext db)
{
    /// <summary>What the check found: the recorded version (<see langword="null"/>: none yet) and the problems.</summary>
    public sealed record Result(int? RecordedVersion, IReadOnlyList<string> Problems);

    public async Task<Result> CheckAsync(DateTime now, CancellationToken cancellationToken)
    {
        var recorded = await db.Set<CreditSchemaVersion>().MaxAsync(v => (int?)v.Version, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        if (recorded < CreditsSchema.CurrentVersion)
        {
            problems.Add($"The credit schema is recorded at version {recorded}; this library's is {CreditsSchema.CurrentVersion}: apply a migration that calls {CreditsSchema.UpgradeCall(recorded.Value)}.");
        }
        else if (recorded > CreditsSchema.CurrentVersion)
        {
            problems.Add($"The credit schema is at version {recorded}, newer than this library's {CreditsSchema.CurrentVersion}: update the MediaForge.Credits packages.");
        }

        problems.AddRange(await StaleDerivedDataAsync(CreditUsageHour.HourOf(now), cancellationToken).ConfigureAwait(false));
        return new Result(recorded, problems);
    }

    private async Task<List<string>> StaleDerivedDataAsync(DateTime currentHour, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var logs = db.Set<UsageLog>().AsNoTracking().Where(l => l.CreatedAt < currentHour);
        var first = await logs.OrderBy(l => l.CreatedAt).Select(l => (DateTime?)l.CreatedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return problems;
        }

        var last = await logs.OrderByDescending(l => l.CreatedAt).Select(l => l.CreatedAt).FirstAsync(cancellationToken).ConfigureAwait(false);
        if (CreditLedgerSql.For(db).UsageHourShards > 0)
        {
            foreach (var hour in new[] { CreditUsageHour.HourOf(first.Value), CreditUsageHour.HourOf(last) }.Distinct())
            {
                var next = hour.AddHours(1);
                var logged = await logs.Where(l => l.CreatedAt >= hour && l.CreatedAt < next).GroupBy(_ => 1)
                    .Select(g => new { Uses = g.LongCount(), Credits = g.Sum(l => l.CreditsUsed), Value = g.Sum(l => l.Price) })
                    .FirstAsync(cancellationToken).ConfigureAwait(false);
                var rolledUp = await db.Set<CreditUsageHour>().Where(h => h.HourStart == hour).GroupBy(_ => 1)
                    .Select(g => new { Uses = g.Sum(h => h.Uses), Credits = g.Sum(h => h.Credits), Value = g.Sum(h => h.Value) })
                    .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? new { Uses = 0L, Credits = 0L, Value = 0L };
                if (!logged.Equals(rolledUp))
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture,
                        $"The hourly usage roll-up does not match the usage logs of the hour {hour:yyyy-MM-dd HH:mm}Z ({logged.Uses} uses and {logged.Credits} credits logged, {rolledUp.Uses} and {rolledUp.Credits} rolled up): usage reports are wrong until {Rebuild}."));
                }
            }
        }

        var charged = await logs.Where(l => !l.IsUnlimited).OrderBy(l => l.CreatedAt)
            .Select(l => new { l.UserId, l.CumulativeUses }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (charged is null)
        {
            return problems;
        }

        if (charged.CumulativeUses is null)
        {
            problems.Add($"Usage logs have no running totals (user {charged.UserId}'s first charged use): top users and the free/paid split are wrong until {Rebuild}.");
        }

        // One statement, so a use written meanwhile moves the counters and the totals together.
        var userLogs = db.Set<UsageLog>().Where(l => l.UserId == charged.UserId && !l.IsUnlimited)
            .OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.CumulativeUses);
        var account = await db.Set<CreditAccount>().AsNoTracking().Where(a => a.UserId == charged.UserId)
            .Select(a => new
            {
                a.UsageCount,
                a.UsageCredits,
                Uses = userLogs.Select(l => l.CumulativeUses).FirstOrDefault(),
                Credits = userLogs.Select(l => l.CumulativeCredits).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (account is not null && charged.CumulativeUses is not null && (account.UsageCount != account.Uses || account.UsageCredits != account.Credits))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"The usage counters of user {charged.UserId} ({account.UsageCount} uses, {account.UsageCredits} credits) do not match the usage logs' running totals ({account.Uses}, {account.Credits}): usage reports are wrong until {Rebuild}."));
        }

        return problems;
    }

    private static string Rebuild =>
        $"the derived data is rebuilt from the logs: a migration that calls {CreditsSchema.UpgradeCall(1)} (schemaChangesGenerated: true when the columns are there already)";
}
