using System.Text;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Events;

/// <summary>
/// Sends every credit event to the configured endpoints (<see cref="CreditWebhookOptions"/>), as a handler of all events
/// run by the outbox dispatcher. Each endpoint's progress with each event is a row (<c>credit_webhook_deliveries</c>): an
/// endpoint that answered 2xx is not sent the event again; if any endpoint failed, this throws, and the dispatcher
/// retries the event later with its backoff (only to the endpoints still missing it).
/// </summary>
internal sealed partial class CreditWebhookSender(
    CreditsDbContextHandle handle,
    IHttpClientFactory clients,
    IOptions<CreditWebhookOptions> options,
    TimeProvider time,
    ILogger<CreditWebhookSender> logger) : ICreditEventHandler<CreditEvent>
{
    /// <summary>The named <see cref="HttpClient"/> the deliveries use (hosts may configure its handler).</summary>
    public const string ClientName = "MediaForge.Credits.Webhooks";

    private const int MaxError = 500;
    private readonly DbContext db = handle.Context;

    public async Task HandleAsync(CreditEvent creditEvent, CancellationToken cancellationToken)
    {
        var endpoints = options.Value.Endpoints
            .Where(e => e.EventTypes.Count == 0 || e.EventTypes.Contains(creditEvent.Type, StringComparer.Ordinal)).ToList();
        if (endpoints.Count == 0)
        {
            return;
        }

        var body = JsonSerializer.Serialize(new { type = creditEvent.Type, timestamp = creditEvent.OccurredAt, data = (object)creditEvent }, CreditEventTypes.Json);
        var failed = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var state = await db.Set<CreditWebhookDelivery>().AsNoTracking()
                .FirstOrDefaultAsync(d => d.EventId == creditEvent.EventId && d.Endpoint == endpoint.Name, cancellationToken).ConfigureAwait(false);
            if (state?.DeliveredAt is not null)
            {
                continue;
            }

            var (status, error) = await PostAsync(endpoint, creditEvent, body, cancellationToken).ConfigureAwait(false);
            await RecordAsync(creditEvent.EventId, endpoint.Name, state, status, error, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                LogFailed(endpoint.Name, creditEvent.EventId, status, error);
                failed.Add(endpoint.Name);
            }
        }

        if (failed.Count > 0)
        {
            throw new InvalidOperationException($"Webhook endpoints not reached: {string.Join(", ", failed)}.");
        }
    }

    private async Task<(int? Status, string? Error)> PostAsync(CreditWebhookEndpoint endpoint, CreditEvent creditEvent, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        CreditWebhookSignature.Sign(request, endpoint.Secret, creditEvent.EventId.ToString("D"), time.GetUtcNow(), body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return (status, response.IsSuccessStatusCode ? null : $"HTTP {status}");
        }
        catch (Exception error) when (error is HttpRequestException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, error is OperationCanceledException ? "timed out" : error.Message);
        }
    }

    private async Task RecordAsync(Guid eventId, string endpoint, CreditWebhookDelivery? state, int? status, string? error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var message = error is { Length: > MaxError } ? error[..MaxError] : error;
        DateTime? delivered = error is null ? now : null;
        if (state is null)
        {
            try
            {
                await db.InsertDetachedAsync(new CreditWebhookDelivery
                {
                    EventId = eventId, Endpoint = endpoint, Attempts = 1, LastStatus = status, LastError = message, DeliveredAt = delivered, UpdatedAt = now,
                }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException)
            {
                // A dispatcher that took over a lapsed lease recorded it first: update that row.
            }
        }

        await db.Set<CreditWebhookDelivery>().Where(d => d.EventId == eventId && d.Endpoint == endpoint && d.DeliveredAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.LastStatus, status)
                .SetProperty(d => d.LastError, message)
                .SetProperty(d => d.DeliveredAt, delivered)
                .SetProperty(d => d.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2900, Level = LogLevel.Warning, Message = "Credit webhook to {Endpoint} for event {EventId} failed (status {Status}): {Error}; retried with backoff")]
    private partial void LogFailed(string endpoint, Guid eventId, int? status, string error);
}
