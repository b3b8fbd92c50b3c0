namespace MediaForge.Credits.Events;

/// <summary>Host events (<see cref="CreditsOptions.Events"/>, configuration section <c>MediaForge:Credits:Events</c>).</summary>
public sealed class CreditEventOptions
{
    /// <summary>
    /// The balance below which a wallet is low: <see cref="LowBalance"/> is raised when a deduction or capture takes the
    /// balance from this or more to less, and the balance answer flags the wallet low. Default 0: off.
    /// </summary>
    public long LowBalanceThreshold { get; set; }

    /// <summary>How often the dispatcher looks for events to deliver when it found none. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most events one dispatcher claims at once. Default 50.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// How long a claimed event is reserved for the dispatcher that claimed it; past it (the process died), another
    /// dispatcher delivers it. Default 5 minutes; make it longer than your slowest handler.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The wait before the first retry of an event whose handler failed; doubled on each failure. Default 5 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between retries. Default 1 hour. Events are retried until delivered.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long delivered events stay in the outbox before the dispatcher deletes them. Default 7 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
