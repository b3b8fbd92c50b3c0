using System.Collections.Concurrent;
using System.Diagnostics;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// The library's spans that end while it is alive and match <paramref name="match"/> (every test of the process shares
/// the listener's source: match on something only the test's own operation carries).
/// </summary>
public sealed class CollectedSpans : IDisposable
{
    private readonly ActivityListener listener;
    private readonly ConcurrentQueue<Activity> spans = new();

    public CollectedSpans(Func<Activity, bool> match)
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MediaForge.Credits",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (match(activity))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>The matching spans, in the order they ended.</summary>
    public IReadOnlyList<Activity> Spans => [.. spans];

    public void Dispose() => listener.Dispose();
}
