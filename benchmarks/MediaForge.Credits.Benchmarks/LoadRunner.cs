using System.Diagnostics;

namespace MediaForge.Credits.Benchmarks;

/// <summary>What one cell measured: throughput, latency percentiles and outcome counts.</summary>
internal sealed record Measurement(long Operations, double Seconds, double P50Ms, double P99Ms, long Succeeded, long Refused, long Errors, string? FirstError)
{
    /// <summary>Bytes the whole process allocated during the cell (warm-up included) per call made in it.</summary>
    public double AllocatedPerOperation { get; init; }

    /// <summary>This process's CPU time during the cell (warm-up included) per call made in it, in microseconds.</summary>
    public double CpuMicrosecondsPerOperation { get; init; }

    public double OpsPerSecond => Operations / Seconds;

    /// <summary>
    /// Turns of one cell taken in alternation with another's (so load from elsewhere on the machine hits both alike) as
    /// one: operations / seconds over all turns, the medians of the turns' percentiles, the mean of the per-call figures.
    /// </summary>
    public static Measurement Combine(IReadOnlyList<Measurement> turns)
    {
        static double Median(IEnumerable<double> values) => values.Order().ElementAt((values.Count() - 1) / 2);
        return new Measurement(turns.Sum(m => m.Operations), turns.Sum(m => m.Seconds), Median(turns.Select(m => m.P50Ms)), Median(turns.Select(m => m.P99Ms)),
            turns.Sum(m => m.Succeeded), turns.Sum(m => m.Refused), turns.Sum(m => m.Errors), turns.Select(m => m.FirstError).FirstOrDefault(e => e is not null))
        {
            AllocatedPerOperation = turns.Average(m => m.AllocatedPerOperation),
            CpuMicrosecondsPerOperation = turns.Average(m => m.CpuMicrosecondsPerOperation),
        };
    }
}

/// <summary>Runs an operation from many concurrent workers and times each call with <see cref="Stopwatch.GetTimestamp"/>.</summary>
internal static class LoadRunner
{
    /// <summary>
    /// Workers call <paramref name="operation"/> in a loop: first for <paramref name="warmup"/> (not recorded), then for
    /// <paramref name="duration"/>. Calls that start inside the measured window count, and the rate is divided by the
    /// window's length. The operation returns false for a refused (insufficient credits) call.
    /// </summary>
    public static async Task<Measurement> ForDurationAsync(int workers, TimeSpan warmup, TimeSpan duration, Func<Random, Task<bool>> operation)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + 17);
            var stats = new WorkerStats();
            while (true)
            {
                var begin = Stopwatch.GetTimestamp();
                if (begin >= measureTo)
                {
                    return stats;
                }

                await stats.TimeAsync(operation, random, record: begin >= measureFrom);
            }
        })));
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        process.Refresh();
        var calls = (double)Math.Max(1, results.Sum(r => r.Calls));
        return Merge(results, duration.TotalSeconds) with
        {
            AllocatedPerOperation = allocated / calls,
            CpuMicrosecondsPerOperation = (process.TotalProcessorTime - cpu).TotalMicroseconds / calls,
        };
    }

    /// <summary>Workers share exactly <paramref name="operations"/> calls (after <paramref name="warmupOperations"/> unrecorded ones).</summary>
    public static async Task<Measurement> ForCountAsync(int workers, int warmupOperations, int operations, Func<Random, Task<bool>> operation)
    {
        var ticket = 0;
        var total = warmupOperations + operations;
        long measureFrom = 0;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + 17);
            var stats = new WorkerStats();
            int mine;
            while ((mine = Interlocked.Increment(ref ticket)) <= total)
            {
                if (mine == warmupOperations + 1)
                {
                    Interlocked.Exchange(ref measureFrom, Stopwatch.GetTimestamp());
                }

                await stats.TimeAsync(operation, random, record: mine > warmupOperations);
            }

            return stats;
        })));
        var seconds = Stopwatch.GetElapsedTime(Interlocked.Read(ref measureFrom)).TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        process.Refresh();
        return Merge(results, seconds) with
        {
            AllocatedPerOperation = allocated / (double)Math.Max(1, total),
            CpuMicrosecondsPerOperation = (process.TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, total),
        };
    }

    private static Measurement Merge(WorkerStats[] workers, double seconds)
    {
        var latencies = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(latencies);
        double Percentile(double p) => latencies.Length == 0
            ? double.NaN
            : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new Measurement(
            latencies.Length,
            seconds,
            Percentile(0.50),
            Percentile(0.99),
            workers.Sum(w => w.Succeeded),
            workers.Sum(w => w.Refused),
            workers.Sum(w => w.Errors),
            workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null));
    }

    private sealed class WorkerStats
    {
        public List<long> Latencies { get; } = new(capacity: 1 << 14);

        public long Succeeded { get; private set; }

        public long Refused { get; private set; }

        public long Errors { get; private set; }

        /// <summary>Every call, recorded or not.</summary>
        public long Calls { get; private set; }

        public string? FirstError { get; private set; }

        public async Task TimeAsync(Func<Random, Task<bool>> operation, Random random, bool record)
        {
            Calls++;
            var begin = Stopwatch.GetTimestamp();
            bool succeeded;
            try
            {
                succeeded = await operation(random);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                if (record)
                {
                    Errors++;
                }

                FirstError ??= exception.GetType().Name + ": " + exception.Message;
                return;
            }

            var elapsed = Stopwatch.GetTimestamp() - begin;
            if (!record)
            {
                return;
            }

            Latencies.Add(elapsed);
            if (succeeded)
            {
                Succeeded++;
            }
            else
            {
                Refused++;
            }
        }
    }
}
