using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Events;

/// <summary>
/// The outbox rows' leases. A dispatcher claims due, unleased rows with one conditional <c>UPDATE</c> under a claim id
/// of its own, then reads back what it won: two dispatchers (in one process or several) never hold one row at the same
/// time, because the <c>UPDATE</c> re-checks the lease on the row it locks (PostgreSQL re-evaluates the condition on the
/// committed row; SQLite runs one writer at a time). Marks are conditional on the claim too, so a dispatcher whose lease
/// ran out never overwrites the work of the one that took over.
/// </summary>
internal sealed class CreditEventClaims(DbContext db, CreditEventOptions options)
{
    private const int MaxError = 500;

    /// <summary>Claims up to <see cref="CreditEventOptions.BatchSize"/> due events for <paramref name="owner"/>, oldest first.</summary>
    public async Task<IReadOnlyList<CreditEventRow>> ClaimAsync(Guid owner, DateTime now, CancellationToken cancellationToken)
    {
        var due = await Due(now).OrderBy(e => e.NextAttemptAt).Select(e => e.Id).Take(options.BatchSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        // Stryker disable once Block : saves two round trips; with no id due, the UPDATE and the read-back match no row and return the same empty list
        if (due.Count == 0)
        {
            return [];
        }

        var until = now + options.LeaseDuration;
        await Due(now).Where(e => due.Contains(e.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, owner).SetProperty(e => e.LeasedUntil, until), cancellationToken)
            .ConfigureAwait(false);
        return await db.Set<CreditEventRow>().AsNoTracking()
            .Where(e => due.Contains(e.Id) && e.LeaseOwner == owner && e.DispatchedAt == null)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks a claimed event delivered (if the claim still holds).</summary>
    public Task DeliveredAsync(Guid id, Guid owner, DateTime now, CancellationToken cancellationToken) =>
        Claimed(id, owner).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.DispatchedAt, now)
            .SetProperty(e => e.LeaseOwner, (Guid?)null)
            .SetProperty(e => e.LeasedUntil, (DateTime?)null), cancellationToken);

    /// <summary>Gives a claimed event back after a failed delivery, due again after the backoff of its attempt count.</summary>
    public Task FailedAsync(CreditEventRow row, Guid owner, string error, DateTime now, CancellationToken cancellationToken)
    {
        var attempts = row.Attempts + 1;
        var next = now + Backoff(attempts);
        // Stryker disable once Equality : at exactly MaxError characters the cut is the whole message, the same string
        var message = error.Length > MaxError ? error[..MaxError] : error;
        return Claimed(row.Id, owner).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Attempts, attempts)
            .SetProperty(e => e.NextAttemptAt, next)
            .SetProperty(e => e.LastError, message)
            .SetProperty(e => e.LeaseOwner, (Guid?)null)
            .SetProperty(e => e.LeasedUntil, (DateTime?)null), cancellationToken);
    }

    /// <summary>Deletes events delivered before the retention period.</summary>
    public Task<int> PurgeAsync(DateTime now, CancellationToken cancellationToken)
    {
        var before = now - options.Retention;
        if (CreditLedgerSchema.IsMySqlProvider(db.Database.ProviderName))
        {
            // MariaDB before 11.6 rejects the DELETE with a table alias that ExecuteDelete writes for MySQL.
            var events = new LedgerTableNames(db.Model, typeof(CreditEventRow), db.GetService<ISqlGenerationHelper>());
            var dispatched = events.Column(nameof(CreditEventRow.DispatchedAt));
            var delete = $"DELETE FROM {events.Table} WHERE {dispatched} IS NOT NULL AND {dispatched} < {{0}}"; // names from the model, the time a parameter
            return db.Database.ExecuteSqlRawAsync(delete, [before], cancellationToken);
        }

        return db.Set<CreditEventRow>().Where(e => e.DispatchedAt != null && e.DispatchedAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th failure: <see cref="CreditEventOptions.RetryDelay"/> doubled each time, capped.</summary>
    public TimeSpan Backoff(int attempts)
    {
        var doubled = options.RetryDelay.Ticks * Math.Pow(2, Math.Min(attempts - 1, 40));
        // Stryker disable once Equality : at doubled == the cap both branches give the cap; they differ (by a tick) only for caps over 2^53 ticks (28 years), where the double rounds
        return doubled >= options.MaxRetryDelay.Ticks ? options.MaxRetryDelay : TimeSpan.FromTicks((long)doubled);
    }

    private IQueryable<CreditEventRow> Due(DateTime now) => db.Set<CreditEventRow>()
        .Where(e => e.DispatchedAt == null && e.NextAttemptAt <= now && (e.LeasedUntil == null || e.LeasedUntil <= now));

    private IQueryable<CreditEventRow> Claimed(Guid id, Guid owner) =>
        db.Set<CreditEventRow>().Where(e => e.Id == id && e.LeaseOwner == owner && e.DispatchedAt == null);
}
