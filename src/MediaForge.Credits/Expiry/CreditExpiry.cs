using MediaForge.Credits.Telemetry;

namespace MediaForge.Credits.Expiry;

/// <summary>Writes the lapse of expired credit lots, user by user (what the sweeper runs).</summary>
internal sealed class CreditExpiry(CreditsDbContextHandle handle, TimeProvider time, CreditsTelemetry telemetry, IOptions<CreditsOptions> options,
    ILogger<CreditService> logger)
{
    private readonly DbContext db = handle.Context;

    public async Task<long> ExpireCreditsAsync(CancellationToken cancellationToken)
    {
        // Stryker disable once Block : saves a query; a provider without SQL never has a lot (AddExpiringCredits refuses)
        if (!db.Database.IsRelational())
        {
            return 0;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var users = await db.Set<CreditGrant>().AsNoTracking()
            .Where(g => g.Remaining > 0 && g.ExpiresAt <= now)
            .Select(g => g.UserId).Distinct().Take(500)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        long removed = 0;
        foreach (var user in users)
        {
            try
            {
                removed += await CreditTransactions.RunAsync(db, ct => CreditLots.ExpireLapsedAsync(db, user, now, options.Value.Events.LowBalanceThreshold, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One user's failure does not stop the sweep for the others; the next sweep tries again. (Nothing to
                // clear: the lapse writes with SQL and untracked reads.)
                CreditLedgerLog.ExpiryFailed(logger, user, exception);
            }
        }

        telemetry.Expired(removed);
        return removed;
    }
}
