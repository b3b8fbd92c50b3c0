using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MediaForge.Credits.Telemetry;

/// <summary>
/// Every metric and span of the credit system, in one place (documented in the README, "Operating it"). The meter and
/// the activity source are both named <see cref="Name"/>. The meter comes from the host's <see cref="IMeterFactory"/>
/// when there is one (ASP.NET Core hosts), so each service provider has its own.
/// </summary>
internal sealed class CreditsTelemetry : IDisposable
{
    public const string Name = "MediaForge.Credits";

    /// <summary>Spans: <c>credits.deduct</c>, <c>credits.grant</c>, <c>credits.transfer</c>, <c>credits.webhook</c>.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly Counter<long> granted;
    private readonly Counter<long> consumed;
    private readonly Counter<long> refunded;
    private readonly Counter<long> expired;
    private readonly Counter<long> unlimitedUses;
    private readonly Counter<long> rejected;
    private readonly Counter<long> webhooksProcessed;
    private readonly Counter<long> webhooksRejected;
    private readonly Counter<long> webhooksDuplicate;
    private readonly Histogram<double> deductionDuration;
    private readonly Counter<long> holdCaptureFailed;
    private readonly Counter<long> transferred;
    private readonly Counter<long> transfersRefused;
    private readonly Counter<long> giftCredits;
    private readonly Counter<long> giftsRefused;

    public CreditsTelemetry(IMeterFactory? meterFactory = null)
    {
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(Name) ?? new Meter(Name);
        granted = meter.CreateCounter<long>("mediaforge.credits.granted", "{credit}", "Credits added to balances (purchases, bonuses, adjustments), by credit.type.");
        consumed = meter.CreateCounter<long>("mediaforge.credits.consumed", "{credit}", "Credits deducted for feature uses, by credits.feature and credits.model.");
        refunded = meter.CreateCounter<long>("mediaforge.credits.refunded", "{credit}", "Credits given back (transactions of type Refund).");
        expired = meter.CreateCounter<long>("mediaforge.credits.expired", "{credit}", "Unspent credits removed at their expiry (Expiration rows).");
        unlimitedUses = meter.CreateCounter<long>("mediaforge.credits.unlimited_uses", "{use}", "Feature uses by unlimited (admin) users: nothing deducted.");
        rejected = meter.CreateCounter<long>("mediaforge.credits.deductions.rejected", "{deduction}", "Deductions refused, by credits.reason (insufficient_credits).");
        webhooksProcessed = meter.CreateCounter<long>("mediaforge.credits.webhooks.processed", "{event}", "Webhook events applied, by credits.provider, credits.event_type and credits.outcome.");
        webhooksRejected = meter.CreateCounter<long>("mediaforge.credits.webhooks.rejected", "{event}", "Webhook deliveries refused before processing, by credits.provider and credits.reason.");
        webhooksDuplicate = meter.CreateCounter<long>("mediaforge.credits.webhooks.duplicate", "{event}", "Webhook deliveries of events processed before (nothing changed), by credits.provider.");
        holdCaptureFailed = meter.CreateCounter<long>("mediaforge.credits.holds.capture_failed", "{capture}",
            "Captures of a hold that failed after the work was done (the job outlived its hold), by credits.feature, credits.model and credits.outcome (charged_late, refused, delivered_unpaid).");
        transferred = meter.CreateCounter<long>("mediaforge.credits.transferred", "{credit}", "Credits moved between users by transfers.");
        transfersRefused = meter.CreateCounter<long>("mediaforge.credits.transfers.refused", "{transfer}",
            "Transfers refused, by credits.reason (insufficient_credits, transfers_disabled, over_maximum, same_user, idempotency_key_conflict).");
        giftCredits = meter.CreateCounter<long>("mediaforge.credits.gifts", "{credit}",
            "Credits of gifts, by credits.outcome: held (created), redeemed (moved to the recipient), returned (cancelled, expired or revoked).");
        giftsRefused = meter.CreateCounter<long>("mediaforge.credits.gifts.refused", "{gift}",
            "Gift operations refused, by credits.reason (gifts_disabled, insufficient_credits, over_maximum, idempotency_key_conflict, invalid_code, own_gift, rate_limited, not_found, not_pending).");
        deductionDuration = meter.CreateHistogram<double>("mediaforge.credits.deduction.duration", "s", "Time of DeductCreditsAsync, retries included.");
    }

    /// <summary>Starts the deduct span and the latency measurement; dispose it when the deduction returns.</summary>
    public DeductionScope MeasureDeduction(string userId, string feature, string model)
    {
        var activity = ActivitySource.StartActivity("credits.deduct");
        activity?.SetTag("credits.user_id", userId);
        activity?.SetTag("credits.feature", feature);
        activity?.SetTag("credits.model", model);
        return new DeductionScope(this, activity, Stopwatch.GetTimestamp());
    }

    public void Deducted(string feature, string model, long credits, bool unlimited)
    {
        if (unlimited)
        {
            unlimitedUses.Add(1, new("credits.feature", feature), new("credits.model", model));
        }
        else
        {
            consumed.Add(credits, new("credits.feature", feature), new("credits.model", model));
        }

        Activity.Current?.SetTag("credits.outcome", unlimited ? "unlimited" : "deducted");
    }

    public void DeductionRejected(string feature, string model, string reason)
    {
        rejected.Add(1, new("credits.feature", feature), new("credits.model", model), new("credits.reason", reason));
        Activity.Current?.SetTag("credits.outcome", reason);
    }

    /// <summary>Counts a capture that failed after the work was done, and what was done about it.</summary>
    public void HoldCaptureFailed(string feature, string model, string outcome)
    {
        holdCaptureFailed.Add(1, new("credits.feature", feature), new("credits.model", model), new("credits.outcome", outcome));
        Activity.Current?.SetTag("credits.hold_capture", outcome);
    }

    public Activity? StartGrant(string userId, CreditTransactionType type, long amount)
    {
        var activity = ActivitySource.StartActivity("credits.grant");
        activity?.SetTag("credits.user_id", userId);
        activity?.SetTag("credit.type", type.ToString());
        activity?.SetTag("credits.amount", amount);
        return activity;
    }

    public void Granted(CreditTransactionType type, long amount)
    {
        if (type == CreditTransactionType.Refund)
        {
            refunded.Add(amount);
        }
        else
        {
            granted.Add(amount, new KeyValuePair<string, object?>("credit.type", type.ToString()));
        }
    }

    public Activity? StartTransfer(string fromUserId, string toUserId, long amount)
    {
        var activity = ActivitySource.StartActivity("credits.transfer");
        activity?.SetTag("credits.user_id", fromUserId);
        activity?.SetTag("credits.recipient_id", toUserId);
        activity?.SetTag("credits.amount", amount);
        return activity;
    }

    public void Transferred(long amount)
    {
        transferred.Add(amount);
        Activity.Current?.SetTag("credits.outcome", "transferred");
    }

    public void TransferRefused(string reason)
    {
        transfersRefused.Add(1, new KeyValuePair<string, object?>("credits.reason", reason));
        Activity.Current?.SetTag("credits.outcome", reason);
    }

    /// <summary>Counts gift credits held, redeemed or returned (<paramref name="outcome"/>).</summary>
    public void Gift(string outcome, long amount)
    {
        giftCredits.Add(amount, new KeyValuePair<string, object?>("credits.outcome", outcome));
        Activity.Current?.SetTag("credits.outcome", outcome);
    }

    public void GiftRefused(string reason)
    {
        giftsRefused.Add(1, new KeyValuePair<string, object?>("credits.reason", reason));
        Activity.Current?.SetTag("credits.outcome", reason);
    }

    public void Expired(long amount)
    {
        if (amount > 0)
        {
            expired.Add(amount);
        }
    }

    public Activity? StartWebhook(string provider)
    {
        var activity = ActivitySource.StartActivity("credits.webhook");
        activity?.SetTag("credits.provider", provider);
        return activity;
    }

    /// <summary>Records a processed event (<paramref name="outcome"/> null: a duplicate). The outcome's detail after ':' is dropped.</summary>
    public void WebhookHandled(string provider, string type, string? outcome)
    {
        if (outcome is null)
        {
            webhooksDuplicate.Add(1, new("credits.provider", provider), new("credits.event_type", type));
            Activity.Current?.SetTag("credits.outcome", "duplicate");
            return;
        }

        var colon = outcome.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? outcome : outcome[..colon];
        webhooksProcessed.Add(1, new("credits.provider", provider), new("credits.event_type", type), new("credits.outcome", kind));
        Activity.Current?.SetTag("credits.event_type", type);
        Activity.Current?.SetTag("credits.outcome", kind);
    }

    public void WebhookRejected(string provider, string reason)
    {
        webhooksRejected.Add(1, new("credits.provider", provider), new("credits.reason", reason));
        Activity.Current?.SetStatus(ActivityStatusCode.Error, reason);
    }

    public void Dispose()
    {
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }

    /// <summary>The running deduct span and its start; disposing records the latency and ends the span.</summary>
    internal readonly struct DeductionScope(CreditsTelemetry telemetry, Activity? activity, long started) : IDisposable
    {
        public void Dispose()
        {
            telemetry.deductionDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            activity?.Dispose();
        }
    }
}
