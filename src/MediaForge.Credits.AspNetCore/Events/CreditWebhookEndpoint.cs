namespace MediaForge.Credits.AspNetCore;

/// <summary>One receiver of outbound credit webhooks (<see cref="CreditWebhookOptions.Endpoints"/>).</summary>
public sealed class CreditWebhookEndpoint
{
    /// <summary>A stable name (1 to 64 letters, digits, <c>-</c> or <c>_</c>), unique among the endpoints: its delivery state is kept under it.</summary>
    public string Name { get; set; } = "";

    /// <summary>The absolute http(s) URL the events are POSTed to.</summary>
    public string Url { get; set; } = "";

    /// <summary>The signing secret: <c>whsec_</c> followed by base64 of 24 to 64 random bytes (the receiver verifies with it).</summary>
    public string Secret { get; set; } = "";

    /// <summary>The event names sent (for example <c>credits.low_balance</c>); empty: every event.</summary>
    public IList<string> EventTypes { get; } = [];
}
