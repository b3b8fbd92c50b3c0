namespace MediaForge.Credits.AspNetCore;

/// <summary>
/// Outbound webhooks of the credit events (configuration section <c>MediaForge:Credits:Webhooks</c>): each event is POSTed
/// to every endpoint, signed with the Standard Webhooks scheme, after its change committed, retried with backoff until
/// the endpoint answers 2xx. No endpoint: nothing is sent.
/// </summary>
public sealed class CreditWebhookOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MediaForge:Credits:Webhooks";

    /// <summary>Where the events go.</summary>
    public IList<CreditWebhookEndpoint> Endpoints { get; } = [];

    /// <summary>How long one POST may take before it counts as failed. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
