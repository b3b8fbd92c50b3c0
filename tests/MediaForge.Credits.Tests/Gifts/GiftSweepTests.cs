using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// The expiry sweep's loop: batch after batch until a short one, a full batch of which none ends read only once, one
/// gift's failure logged and passed over, and the caller's cancellation obeyed.
/// </summary>
public abstract class GiftSweepTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>Gifts one transaction-by-transaction batch of the sweep reads (CreditGiftService.SweepBatch).</summary>
    private const int Batch = 500;

    private readonly FakeLogCollector logs = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly GiftEndingFaults faults = new();

    private GiftSetup Setup() => new(database, time: clock, configureContext: o => o.AddInterceptors(faults),
        configureServices: s => s.AddLogsTo(logs, LogLevel.Information));

    /// <summary>
    /// A sender with <paramref name="count"/> gifts of 1 credit lapsing one second apart, then the clock past them all; the
    /// gifts earlier tests of the class left pending are swept first (at a later date), so the sweep sees only these.
    /// </summary>
    private async Task<(GiftSetup Setup, string Sender, List<Guid> Gifts)> LapsedAsync(int count)
    {
        await new GiftSetup(database, time: new FakeTimeProvider(clock.GetUtcNow().AddYears(10))).Gifts(g => g.ExpireGiftsAsync());
        var setup = Setup();
        var sender = await setup.FundedAsync(count);
        var gifts = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var at = clock.GetUtcNow().AddHours(1).AddSeconds(i);
            gifts.Add((await setup.Gifts(g => g.CreateGiftAsync(sender, 1, at))).Gift!.Id);
        }

        clock.Advance(TimeSpan.FromHours(2));
        return (setup, sender, gifts);
    }

    [Fact]
    public async Task ExpireGifts_MoreThanOneBatchLapsed_ExpiresThemAllInOneCall()
    {
        var (setup, sender, _) = await LapsedAsync(Batch + 1);

        Assert.Equal(Batch + 1, await setup.Gifts(g => g.ExpireGiftsAsync()));
        Assert.Equal((Batch + 1L, 0L, Batch + 1L), await setup.AccountAsync(sender));
    }

    [Fact]
    public async Task ExpireGifts_FullBatchOfWhichNoneEnds_TriesEachOnceAndReturns()
    {
        var (setup, _, _) = await LapsedAsync(Batch);
        using var caller = new CancellationTokenSource();
        faults.Fail = attempt => attempt <= Batch ? new InvalidOperationException("refused") : Cancel(caller);

        Assert.Equal(0, await setup.Gifts(g => g.ExpireGiftsAsync(caller.Token)));
        Assert.Equal(Batch, faults.Attempts);
    }

    [Fact]
    public async Task ExpireGifts_OneGiftsExpiryFails_TheOthersExpireAndTheFailureIsLogged()
    {
        var (setup, sender, gifts) = await LapsedAsync(2);
        faults.Fail = attempt => attempt == 1 ? new InvalidOperationException("refused") : null;

        Assert.Equal(1, await setup.Gifts(g => g.ExpireGiftsAsync()));
        var record = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1606);
        Assert.Equal((LogLevel.Error, $"Expiring gift {gifts[0]} failed; the next sweep tries again"), (record.Level, record.Message));
        Assert.Equal(CreditGiftStatus.Expired, (await setup.RowAsync(gifts[1])).Status);
        Assert.Equal((2L, 1L, 2L), await setup.AccountAsync(sender));
    }

    [Fact]
    public async Task ExpireGifts_OneGiftsStatementCancelledNotByTheCaller_TheSweepGoesOn()
    {
        var (setup, _, gifts) = await LapsedAsync(2);
        faults.Fail = attempt => attempt == 1 ? new OperationCanceledException("statement timeout") : null;

        Assert.Equal(1, await setup.Gifts(g => g.ExpireGiftsAsync()));
        Assert.Equal(CreditGiftStatus.Expired, (await setup.RowAsync(gifts[1])).Status);
    }

    [Fact]
    public async Task ExpireGifts_CallerCancelsDuringTheSweep_ThrowsAndEndsNoMoreGifts()
    {
        var (setup, _, gifts) = await LapsedAsync(2);
        using var caller = new CancellationTokenSource();
        faults.Fail = attempt => attempt == 1 ? Cancel(caller) : null;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => setup.Gifts(g => g.ExpireGiftsAsync(caller.Token)));
        Assert.Equal(CreditGiftStatus.Pending, (await setup.RowAsync(gifts[1])).Status);
    }

    private static OperationCanceledException Cancel(CancellationTokenSource caller)
    {
        caller.Cancel();
        return new OperationCanceledException(caller.Token);
    }
}

/// <summary>Fails the statements that end a gift (the updates setting its settled time) as <see cref="Fail"/> says, by attempt.</summary>
internal sealed class GiftEndingFaults : DbCommandInterceptor
{
    private int attempts;

    public Func<int, Exception?> Fail { get; set; } = _ => null;

    public int Attempts => Volatile.Read(ref attempts);

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    private void Check(DbCommand command)
    {
        var text = command.CommandText.TrimStart();
        if (text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) && text.Contains("credit_gifts", StringComparison.Ordinal)
            && text.Contains("settled_at", StringComparison.Ordinal) && Fail(Interlocked.Increment(ref attempts)) is { } exception)
        {
            throw exception;
        }
    }
}

public sealed class SqliteGiftSweepTests(SqliteCreditsDatabase database) : GiftSweepTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftSweepTests(PostgresCreditsDatabase database) : GiftSweepTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftSweepTests(MariaDbCreditsDatabase database) : GiftSweepTests<MariaDbCreditsDatabase>(database);
