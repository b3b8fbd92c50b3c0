using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>
/// A host's EF command timeout (<c>UseNpgsql(..., o => o.CommandTimeout(seconds))</c>) bounds the ledger's own
/// statements too, which run as plain provider commands inside their transaction, not only the statements EF runs.
/// </summary>
public sealed class PostgresCommandTimeoutTests(PostgresCreditsDatabase database) : IClassFixture<PostgresCreditsDatabase>
{
    [Fact]
    public async Task Deduct_AccountLockedLongerThanTheHostsCommandTimeout_FailsWithoutChargingInsteadOfWaiting()
    {
        // The provider's own default is ten minutes here: only the host's one second ends the wait before the lock is let go.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { CommandTimeout = 600 }.ConnectionString;
        var services = database.BuildServices(
            connectionString,
            options => options.CoalesceDeductions = false,
            configureContext: options => options.UseNpgsql(connectionString, npgsql => npgsql.CommandTimeout(1)));
        var user = "timeout_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(credits => credits.AddCreditsAsync(user, 50, CreditTransactionType.Purchase, "credits"), services);

        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await using var locked = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM credits WHERE user_id = @user FOR UPDATE", holder, locked))
        {
            lockRow.Parameters.AddWithValue("user", user);
            await lockRow.ExecuteScalarAsync();
        }

        var deduction = database.WithCreditsAsync(credits => credits.DeductCreditsAsync(user, "image-generation", "default", "job-1"), services);

        await Assert.ThrowsAnyAsync<DbException>(() => deduction.WaitAsync(TimeSpan.FromMinutes(2)));
        await locked.CommitAsync();
        Assert.Equal((50L, 50L, 1), await database.ReadLedgerAsync(user, services));
    }
}
