using System.Collections.Concurrent;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>The development gateway's checkout sessions, in memory (they last as long as the process).</summary>
internal sealed class DevelopmentCheckoutStore
{
    private readonly ConcurrentDictionary<string, DevelopmentCheckoutSession> sessions = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, DevelopmentSubscription> subscriptions = new(StringComparer.Ordinal);

    public void Add(DevelopmentCheckoutSession session) => sessions[session.Id] = session;

    public void Add(DevelopmentSubscription subscription) => subscriptions[subscription.Id] = subscription;

    public DevelopmentSubscription? FindSubscription(string id) => subscriptions.GetValueOrDefault(id);

    public IReadOnlyList<DevelopmentSubscription> Subscriptions => [.. subscriptions.Values.OrderBy(s => s.Id, StringComparer.Ordinal)];

    public DevelopmentCheckoutSession? Find(string id) => sessions.GetValueOrDefault(id);

    /// <summary>Marks an open session paid; returns <see langword="false"/> when it was paid already.</summary>
    public bool TryMarkPaid(DevelopmentCheckoutSession session)
    {
        lock (session)
        {
            if (session.PaymentStatus == "paid")
            {
                return false;
            }

            session.Status = "complete";
            session.PaymentStatus = "paid";
            session.PaymentIntentId = "pi_dev_" + Guid.NewGuid().ToString("N");
            return true;
        }
    }
}
