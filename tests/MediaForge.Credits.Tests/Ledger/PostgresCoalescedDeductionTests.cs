using System.Data.Common;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>Group commit on PostgreSQL: a batch blocked by another transaction, and the batch's plan-cache setting.</summary>
public sealed class PostgresCoalescedDeductionTests(PostgresCreditsDatabase database) : CoalescedDeductionTests<PostgresCreditsDatabase>(database)
{
    [Fact]
    public async Task BatchBlockedByAnotherTransaction_GivesUp_AndDeductionsQueuedBehindItGoThrough()
    {
        var (blocked, _, services) = await StartAsync(credits: 300, hold: false, seed: (credits, user) =>
            credits.AddCreditsAsync(user + "_free", 300, CreditTransactionType.Purchase, "credits"));
        await using var host = services.CreateAsyncScope();
        var db = host.ServiceProvider.GetRequiredService<CreditsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM credits WHERE user_id = {blocked} FOR UPDATE");

        var waiting = Deduct(services, blocked, "job-blocked");
        await using (var observer = services.CreateAsyncScope())
        {
            // The blocked deduction's batch is waiting for the row lock (seen from outside the host's transaction, which
            // would keep reading its first snapshot of pg_stat_activity).
            var activity = observer.ServiceProvider.GetRequiredService<CreditsDbContext>().Database;
            using var deadline = new CancellationTokenSource(Patience);
            while (await activity.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()").SingleAsync() == 0)
            {
                await Task.Delay(5, deadline.Token);
            }
        }

        var free = await Deduct(services, blocked + "_free", "job-free").WaitAsync(Patience);

        Assert.True(free.Success);
        Assert.False(waiting.IsCompleted);
        await transaction.CommitAsync();
        Assert.Equal(297, (await waiting.WaitAsync(Patience)).RemainingBalance);
    }

    [Fact]
    public async Task BatchTransactions_KeepStatementsOnGenericPlans_AndTheSettingEndsWithTheTransaction()
    {
        var plans = new PlanCacheModeProbe();
        var (user, probe, services) = await StartAsync(credits: 300, observer: plans);
        plans.Armed = true;

        var first = Deduct(services, user, "job-0");
        await probe.HeldAsync();
        var queued = Deduct(services, user, "job-1");
        await QueuedAsync(services, 1);
        probe.Release();
        await Task.WhenAll(first, queued).WaitAsync(Patience);

        Assert.Equal(2, probe.Commits);
        Assert.Equal([("force_generic_plan", "auto"), ("force_generic_plan", "auto")], plans.Seen);
    }

    /// <summary>Once armed: the connection's <c>plan_cache_mode</c> just before each commit and just after it.</summary>
    private sealed class PlanCacheModeProbe : DbTransactionInterceptor
    {
        private readonly Dictionary<DbTransaction, string> inside = [];

        public bool Armed { get; set; }

        public List<(string Inside, string After)> Seen { get; } = [];

        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Armed)
            {
                var mode = await ModeAsync(transaction.Connection!, transaction, cancellationToken);
                lock (Seen)
                {
                    inside[transaction] = mode;
                }
            }

            return result;
        }

        public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (Armed)
            {
                var after = await ModeAsync(eventData.Context!.Database.GetDbConnection(), null, cancellationToken);
                lock (Seen)
                {
                    Seen.Add((inside[transaction], after));
                }
            }
        }

        private static async Task<string> ModeAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT current_setting('plan_cache_mode')";
            return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
    }
}
