using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MySql.Data.MySqlClient;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// On MariaDB a claim that waits on a row another transaction holds fails with a lock wait timeout (1205), as a
/// deadlock's victim fails with 1213 (both seen by the benchmark's charger while deductions wrote new top-ups). The
/// worker's claim runs outside any transaction of the host, so the library runs it again instead of failing the round.
/// Every connection here waits at most 1 second for a lock.
/// </summary>
public sealed class MariaDbTopUpClaimLockTests(MariaDbCreditsDatabase database) : IClassFixture<MariaDbCreditsDatabase>
{
    [Fact]
    public async Task Claim_MeetingALockHeldLongerThanTheLockWaitTimeout_IsRunAgainAndClaimsTheTopUp()
    {
        await using var services = Build(database, interceptor: new ShortLockWait());
        var (_, topUp) = await CrossedAsync(services);
        var released = await HoldAsync(topUp);

        var claimed = await AsTheWorkerAsync(services, c => c.ClaimAsync(Guid.NewGuid(), 10, default));
        await released;

        Assert.Equal([topUp], claimed.Select(t => t.Id));
    }

    [Fact]
    public async Task Charging_MeetingALockHeldLongerThanTheLockWaitTimeout_IsRunAgainAndMarksTheTopUp()
    {
        await using var services = Build(database, interceptor: new ShortLockWait());
        var (wallet, topUp) = await CrossedAsync(services);
        var owner = Guid.NewGuid();
        await ChargesAsync(services, c => c.ClaimAsync(owner, 10, default));
        var released = await HoldAsync(topUp);

        var marked = await AsTheWorkerAsync(services, c => c.ChargingAsync(topUp, owner, "pi_locked", default));
        await released;

        Assert.Equal(1, marked);
        Assert.Equal(CreditTopUpStatus.Charging, Assert.Single(await TopUpsAsync(services, wallet)).Status);
    }

    [Fact]
    public async Task Release_MeetingALockHeldLongerThanTheLockWaitTimeout_IsRunAgainAndGivesTheTopUpBack()
    {
        await using var services = Build(database, interceptor: new ShortLockWait());
        var (wallet, topUp) = await CrossedAsync(services);
        var owner = Guid.NewGuid();
        await ChargesAsync(services, c => c.ClaimAsync(owner, 10, default));
        var released = await HoldAsync(topUp);

        await AsTheWorkerAsync(services, async c => { await c.ReleaseAsync(topUp, owner, "unreachable", default); return 0; });
        await released;

        var row = Assert.Single(await TopUpsAsync(services, wallet));
        Assert.Equal(((Guid?)null, "unreachable"), (row.LeaseOwner, row.LastError));
    }

    /// <summary>Runs <paramref name="action"/> on the top-up charges of a scope of its own, outside any transaction (as the worker does).</summary>
    private static async Task<T> AsTheWorkerAsync<T>(IServiceProvider services, Func<CreditTopUpCharges, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CreditTopUpCharges>());
    }

    /// <summary>Locks the top-up's row in a transaction of another connection; the task ends when it commits, 1.5 seconds later.</summary>
    private async Task<Task> HoldAsync(Guid topUp)
    {
        var holder = new MySqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        var held = await holder.BeginTransactionAsync();
        await using (var command = new MySqlCommand("SELECT id FROM credit_top_ups WHERE id = @id FOR UPDATE", holder, held))
        {
            command.Parameters.AddWithValue("@id", topUp.ToString());
            Assert.NotNull(await command.ExecuteScalarAsync());
        }

        return Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await held.CommitAsync();
            await holder.DisposeAsync();
        });
    }

    /// <summary>Sets the session's lock wait timeout to 1 second on every connection the library opens.</summary>
    private sealed class ShortLockWait : DbConnectionInterceptor
    {
        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SET SESSION innodb_lock_wait_timeout = 1";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
