using System.Collections.Concurrent;
using System.Diagnostics;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// Counts EF Core's diagnostic events (commands executed, transactions, connections opened, queries compiled), to
/// see what one library call costs in round trips. Used by <c>--profile</c>.
/// </summary>
internal sealed class EfEventCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<string, int> counts = new();
    private readonly List<IDisposable> subscriptions = [];
    private readonly IDisposable all;

    public EfEventCounter() => all = DiagnosticListener.AllListeners.Subscribe(this);

    public IReadOnlyDictionary<string, int> TakeCounts()
    {
        var snapshot = counts.ToDictionary(p => p.Key, p => p.Value);
        counts.Clear();
        return snapshot;
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == "Microsoft.EntityFrameworkCore")
        {
            lock (subscriptions)
            {
                subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        var name = value.Key.Replace("Microsoft.EntityFrameworkCore.", "", StringComparison.Ordinal);
        if (name.EndsWith("Executed", StringComparison.Ordinal) || name.EndsWith("Committed", StringComparison.Ordinal)
            || name.EndsWith("Started", StringComparison.Ordinal) || name.EndsWith("Opened", StringComparison.Ordinal)
            || name.Contains("Compil", StringComparison.Ordinal))
        {
            counts.AddOrUpdate(name, 1, (_, n) => n + 1);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        all.Dispose();
        lock (subscriptions)
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }
}
