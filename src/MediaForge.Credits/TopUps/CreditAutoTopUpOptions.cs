namespace MediaForge.Credits;

/// <summary>
/// Auto top-up (<see cref="CreditsOptions.AutoTopUp"/>, configuration section <c>MediaForge:Credits:AutoTopUp</c>): how
/// many declined charges in a row pause a wallet's auto top-up, how long before a declined top-up is tried again, and
/// the timing of the worker that charges them. Each wallet opts in with its own threshold, pack and monthly caps.
/// </summary>
public sealed class CreditAutoTopUpOptions
{
    /// <summary>
    /// Failed charges in a row (declined, or the card needs the customer: <c>requires_action</c>) after which a wallet's
    /// auto top-up pauses until its owner saves the settings again. Default 3; 1 to 10.
    /// </summary>
    public int MaxConsecutiveFailures { get; set; } = 3;

    /// <summary>The wait before a top-up whose charge failed is tried again (while not paused). Default 1 hour.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the worker looks for top-ups to charge when it found none. Default 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a claimed top-up is reserved for the worker that claimed it; past it (the process died), another worker
    /// charges it, with the same idempotency key. Default 2 minutes.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a process keeps the highest threshold of the wallets with auto top-up on (the deduction path's only
    /// knowledge of auto top-up: a debit that leaves more than it does nothing more). A wallet that turns auto top-up on
    /// in another process is seen here within this time. Default 5 seconds.
    /// </summary>
    public TimeSpan SettingsCacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}
