using System.Data.Common;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// One caller with group commit on (decision 0041): a deduction that finds its lane idle is written by its own caller,
/// on its own context, instead of being handed to the lane's writer and back.
/// </summary>
public abstract class LoneDeductionTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private protected TDatabase Database { get; } = database;

    [Fact]
    public async Task LoneDeduction_OnAnIdleLane_CommitsInTheCallersOwnContext()
    {
        var commits = new CommitContexts();
        var services = Database.BuildServices(Database.ConnectionString, configureContext: o => o.AddInterceptors(commits));
        var user = "lone-" + Guid.NewGuid().ToString("N");
        await using (var seed = services.CreateAsyncScope())
        {
            await seed.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(user, 30, CreditTransactionType.Purchase, "credits");
        }

        commits.Clear();
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var result = await scope.ServiceProvider.GetRequiredService<ICreditService>().DeductCreditsAsync(user, "image-generation", "default");

        Assert.True(result.Success);
        Assert.Equal(27, result.RemainingBalance);
        Assert.Same(context, Assert.Single(commits.Seen));
        Assert.Equal((27L, 27L, 2), await Database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task LoneDeductions_OneAfterAnother_EachCommitsItsOwnTransactionInItsCallersContext_AndTheLedgerBalances()
    {
        var commits = new CommitContexts();
        var services = Database.BuildServices(Database.ConnectionString, configureContext: o => o.AddInterceptors(commits));
        var user = "lone-" + Guid.NewGuid().ToString("N");
        await using (var seed = services.CreateAsyncScope())
        {
            await seed.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "credits");
        }

        commits.Clear();
        var results = new List<CreditDeductionResult>();
        var callers = new List<DbContext>();
        for (var i = 0; i < 4; i++)
        {
            await using var scope = services.CreateAsyncScope();
            callers.Add(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
            results.Add(await scope.ServiceProvider.GetRequiredService<ICreditService>().DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: "job-" + i));
        }

        Assert.Equal([true, true, true, false], results.Select(r => r.Success));
        // The refused one too commits its (empty) transaction, as a batch does; each in its own caller's context (the lane stays idle).
        Assert.Equal(callers, commits.Seen);
        Assert.Equal((1L, 1L, 4), await Database.ReadLedgerAsync(user, services));
    }
}

public sealed class SqliteLoneDeductionTests(SqliteCreditsDatabase database) : LoneDeductionTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLoneDeductionTests(PostgresCreditsDatabase database) : LoneDeductionTests<PostgresCreditsDatabase>(database)
{
    [Fact]
    public async Task Deduction_WithAPlainConnectionString_LeavesItsStatementPreparedOnThePooledConnection()
    {
        // One physical connection, no Max Auto Prepare: whatever is prepared on it, the library prepared itself.
        var plain = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { MaxPoolSize = 1, MaxAutoPrepare = 0 }.ConnectionString;
        var services = Database.BuildServices(plain);
        var user = "prepared-" + Guid.NewGuid().ToString("N");
        await using (var scope = services.CreateAsyncScope())
        {
            var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
            await credits.AddCreditsAsync(user, 30, CreditTransactionType.Purchase, "credits");
            Assert.True((await credits.DeductCreditsAsync(user, "image-generation", "default")).Success);
        }

        await using var after = services.CreateAsyncScope();
        var prepared = await after.ServiceProvider.GetRequiredService<CreditsDbContext>().Database
            .SqlQuery<string>($"SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync();

        Assert.Contains(prepared, s => s.Contains("debited", StringComparison.Ordinal) && s.Contains("UPDATE credits", StringComparison.Ordinal));
    }
}

public sealed class MariaDbLoneDeductionTests(MariaDbCreditsDatabase database) : LoneDeductionTests<MariaDbCreditsDatabase>(database);
