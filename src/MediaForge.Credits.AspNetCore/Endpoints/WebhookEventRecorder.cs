using MediaForge.Credits.Ledger;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// Processes each webhook event exactly once: claiming it (a <c>webhook_events</c> row, unique per provider and event
/// id), applying it and recording the outcome happen in one transaction. A crash in between leaves nothing, so the
/// provider's retry processes it; a duplicate delivery, sequential or simultaneous, finds the row and changes nothing
/// (a simultaneous one waits on the unique key, fails, and is run again).
/// </summary>
internal sealed class WebhookEventRecorder(CreditsDbContextHandle handle, TimeProvider time)
{
    private readonly DbContext db = handle.Context;

    /// <summary>
    /// Runs <paramref name="apply"/> once for the event <paramref name="eventId"/> of <paramref name="provider"/>. Its
    /// <paramref name="type"/> has at most 100 characters (the column's length): each webhook refuses a longer one as malformed first.
    /// </summary>
    /// <returns>The outcome the apply step returned, or <see langword="null"/> when the event was processed before.</returns>
    public Task<string?> ProcessOnceAsync(string provider, string eventId, string type, Func<CancellationToken, Task<string>> apply, CancellationToken cancellationToken) =>
        CreditTransactions.RunAsync<string?>(db, async ct =>
        {
            if (await db.Set<WebhookEvent>().AsNoTracking().AnyAsync(e => e.Provider == provider && e.EventId == eventId, ct).ConfigureAwait(false))
            {
                return null;
            }

            var now = time.GetUtcNow();
            var claim = new WebhookEvent
            {
                Id = Guid.CreateVersion7(now),
                Provider = provider,
                EventId = eventId,
                Type = type,
                // Stryker disable once String : a placeholder the outcome replaces before the transaction commits; no reader sees it
                Outcome = "processing",
                ProcessedAt = now.UtcDateTime,
            };
            await db.InsertDetachedAsync(claim, ct).ConfigureAwait(false);

            var outcome = await apply(ct).ConfigureAwait(false);
            await db.Set<WebhookEvent>().Where(e => e.Id == claim.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Outcome, outcome), ct).ConfigureAwait(false);
            return outcome;
        }, cancellationToken);
}
