namespace MediaForge.Credits.Gifts;

/// <summary>
/// The per-user rate limit of redemptions: at most <see cref="CreditGiftOptions.RedeemAttemptsPerWindow"/> attempts, right
/// or wrong, per fixed window of <see cref="CreditGiftOptions.RedeemWindow"/> that starts at the user's first attempt,
/// timed by <see cref="TimeProvider"/>. Per process (a singleton; several instances each count their own attempts) and
/// bounded: at most <see cref="MaxUsers"/> users are tracked; when that many are inside a window, new users are refused
/// until windows end (failing closed, never forgetting a counted user).
/// </summary>
internal sealed class CreditGiftRedeemLimiter(IOptions<CreditsOptions> options, TimeProvider time)
{
    /// <summary>The most users tracked at once.</summary>
    public const int MaxUsers = 100_000;

    private readonly Dictionary<string, Window> windows = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Counts an attempt of <paramref name="userId"/>.</summary>
    /// <returns><see langword="null"/> when allowed; otherwise how long until the user may try again.</returns>
    public TimeSpan? TryAcquire(string userId)
    {
        var settings = options.Value.Gifts;
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (windows.TryGetValue(userId, out var window) && now < window.Ends)
            {
                if (window.Attempts >= settings.RedeemAttemptsPerWindow)
                {
                    return window.Ends - now;
                }

                windows[userId] = window with { Attempts = window.Attempts + 1 };
                return null;
            }

            if (window is null && windows.Count >= MaxUsers)
            {
                foreach (var ended in windows.Where(w => w.Value.Ends <= now).Select(w => w.Key).ToList())
                {
                    windows.Remove(ended);
                }

                if (windows.Count >= MaxUsers)
                {
                    return windows.Values.Min(w => w.Ends) - now;
                }
            }

            windows[userId] = new Window(now + settings.RedeemWindow, 1);
            return null;
        }
    }

    /// <summary>Users tracked now (for tests of the bound).</summary>
    internal int Count
    {
        get
        {
            lock (gate)
            {
                return windows.Count;
            }
        }
    }

    private sealed record Window(DateTimeOffset Ends, int Attempts);
}
