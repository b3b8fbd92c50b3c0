using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// Failures injected into the service's own statements with EF interceptors registered on the context options: after
/// the conditional balance UPDATE and before the ledger INSERT, and after the commit before the result is returned.
/// </summary>
public abstract class FaultInjectionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{

    private static string NewUser() => "fault_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task DeductCredits_FailureBetweenBalanceUpdateAndLedgerInsert_LeavesNoPartialRows()
    {
        var user = NewUser();
        await GrantAsync(user, 100);
        var fault = new FailBeforeLedgerInsert();

        await Assert.ThrowsAsync<InjectedFailureException>(() => DeductAsync(fault, user, "job-1"));

        Assert.True(fault.SawBalanceUpdate);
        Assert.Equal((100L, 100L, 1), await database.ReadLedgerAsync(user));
        Assert.Equal(0, await database.CountUsageAsync(user));
    }

    [Fact]
    public async Task DeductCredits_RetriedAfterFailureBetweenBalanceUpdateAndLedgerInsert_ChargesExactlyOnce()
    {
        var user = NewUser();
        await GrantAsync(user, 100);
        var fault = new FailBeforeLedgerInsert();
        await Assert.ThrowsAsync<InjectedFailureException>(() => DeductAsync(fault, user, "job-1"));

        var retry = await DeductAsync(fault, user, "job-1");
        var again = await DeductAsync(fault, user, "job-1");

        Assert.True(retry.Success);
        Assert.False(retry.IsReplay);
        Assert.Equal(retry with { IsReplay = true }, again);
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
        Assert.Equal(1, await database.CountUsageAsync(user));
    }

    [Fact]
    public async Task DeductCredits_FailureAfterCommit_ReturnsTheCommittedCharge_AndARetryReplaysIt()
    {
        var user = NewUser();
        await GrantAsync(user, 100);
        var fault = new FailAfterCommit();
        var first = await DeductAsync(fault, user, "job-1");

        var retry = await DeductAsync(fault, user, "job-1");

        Assert.Equal((true, false, 92L), (first.Success, first.IsReplay, first.RemainingBalance));
        Assert.Equal(first with { IsReplay = true }, retry);
        Assert.Equal((true, 8L, 92L), (retry.Success, retry.CreditsDeducted, retry.RemainingBalance));
        Assert.Equal((92L, 92L, 2), await database.ReadLedgerAsync(user));
        Assert.Equal(1, await database.CountUsageAsync(user));
        Assert.Equal(await ChargeIdAsync(user), retry.TransactionId);
    }

    [Fact]
    public async Task AddCredits_FailureBetweenBalanceUpdateAndLedgerInsert_LeavesNoPartialRows()
    {
        var user = NewUser();
        await GrantAsync(user, 100);
        var fault = new FailBeforeLedgerInsert();

        await Assert.ThrowsAsync<InjectedFailureException>(() => GrantAsync(user, 50, "session-1", fault));

        Assert.True(fault.SawBalanceUpdate);
        Assert.Equal((100L, 100L, 1), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task AddCredits_FailureAfterCommit_ReturnsTheCommittedGrant_AndARetryReplaysIt()
    {
        var user = NewUser();
        await GrantAsync(user, 100);
        var fault = new FailAfterCommit();
        var first = await GrantAsync(user, 50, "session-1", fault);

        var retry = await GrantAsync(user, 50, "session-1", fault);

        Assert.Equal((150L, false), (first.Balance, first.IsReplay));
        Assert.Equal(first with { IsReplay = true }, retry);
        Assert.Equal(150, retry.Balance);
        Assert.Equal((150L, 150L, 2), await database.ReadLedgerAsync(user));
    }

    private async Task<CreditDeductionResult> DeductAsync(IInterceptor fault, string user, string key)
    {
        await using var scope = ServicesWith(fault).CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .DeductCreditsAsync(user, "video-generation", "hailuo", idempotencyKey: key);
    }

    private async Task<CreditTransactionResult> GrantAsync(string user, long amount, string? key = null, IInterceptor? fault = null)
    {
        await using var scope = (fault is null ? database.Services : ServicesWith(fault)).CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditService>()
            .AddCreditsAsync(user, amount, CreditTransactionType.Purchase, "fault grant", idempotencyKey: key);
    }

    private readonly Dictionary<IInterceptor, IServiceProvider> services = [];

    private IServiceProvider ServicesWith(IInterceptor fault)
    {
        if (!services.TryGetValue(fault, out var provider))
        {
            provider = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(fault));
            services.Add(fault, provider);
        }

        return provider;
    }

    private async Task<Guid?> ChargeIdAsync(string user)
    {
        Guid? id = null;
        await database.WithContextAsync(async db =>
            id = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
                db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Usage).Select(t => (Guid?)t.Id)));
        return id;
    }

    /// <summary>
    /// Lets the conditional balance UPDATE run, then fails the first ledger INSERT before it reaches the database. Where
    /// the deduction is one statement (PostgreSQL: the debit and both inserts in one <c>WITH</c>), there is no moment
    /// between them: that statement fails after it ran, before the commit.
    /// </summary>
    private sealed class FailBeforeLedgerInsert : DbCommandInterceptor
    {
        private int armed = 1;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            var text = InterceptedCommand.Text(command);
            if (text.Contains("UPDATE credits ", StringComparison.Ordinal) && text.Contains("INSERT INTO credit_transactions ", StringComparison.Ordinal))
            {
                SawBalanceUpdate = true;
                if (Interlocked.Exchange(ref armed, 0) == 1)
                {
                    await result.DisposeAsync();
                    throw new InjectedFailureException("after the one-statement deduction ran, before its commit");
                }
            }

            return result;
        }

        public bool SawBalanceUpdate { get; private set; }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Observe(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Observe(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Observe(command);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Observe(command);
            return ValueTask.FromResult(result);
        }

        private void Observe(DbCommand command)
        {
            var text = InterceptedCommand.Text(command);
            // The ledger insert first: on MariaDB it leads the command that then updates the usage counters (UPDATE credits).
            if (text.StartsWith("INSERT INTO credit_transactions ", StringComparison.Ordinal) && SawBalanceUpdate
                && Interlocked.Exchange(ref armed, 0) == 1)
            {
                throw new InjectedFailureException("between the balance update and the ledger insert");
            }

            // SQLite's debit starts with the deductions it takes (WITH deductions AS (VALUES ...) UPDATE credits ...).
            if (text.Contains("UPDATE credits ", StringComparison.Ordinal))
            {
                SawBalanceUpdate = true;
            }
        }
    }

    /// <summary>Fails the first operation after its transaction committed, before the service returns its result.</summary>
    private sealed class FailAfterCommit : DbTransactionInterceptor
    {
        private int armed = 1;

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Fail();

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Fail();
            return Task.CompletedTask;
        }

        private void Fail()
        {
            if (Interlocked.Exchange(ref armed, 0) == 1)
            {
                throw new InjectedFailureException("after the commit");
            }
        }
    }
}

public sealed class InjectedFailureException(string where) : Exception("Injected failure " + where);

public sealed class SqliteFaultInjectionTests(SqliteCreditsDatabase database) : FaultInjectionTests<SqliteCreditsDatabase>(database);

public sealed class PostgresFaultInjectionTests(PostgresCreditsDatabase database) : FaultInjectionTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbFaultInjectionTests(MariaDbCreditsDatabase database) : FaultInjectionTests<MariaDbCreditsDatabase>(database);
