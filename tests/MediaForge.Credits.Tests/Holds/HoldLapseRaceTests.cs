using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// A debit refused because a lapsed hold still counted, while another transaction (the sweeper) writes that lapse
/// between the refusal and the debit's second look: the debit is tried again against the written state, not refused.
/// PostgreSQL and MariaDB: there a refused conditional <c>UPDATE</c> keeps no lock (InnoDB at READ COMMITTED releases
/// the row once the condition fails), so the sweeper can commit in between; SQLite runs one writer at a time.
/// </summary>
public abstract class HoldLapseRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 6, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task DeductCredits_LapsedHoldEndedByTheSweeperRightAfterTheRefusal_ChargesTheDeduction()
    {
        var (user, services) = await UserWithALapsedHoldAsync();

        var result = await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "map-animation", "veo2"), services);

        Assert.True(result.Success, $"refused: {result.Error}");
        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(user, services));
    }

    [Fact]
    public async Task AdjustCredits_LapsedHoldEndedByTheSweeperRightAfterTheRefusal_RemovesTheCredits()
    {
        var (user, services) = await UserWithALapsedHoldAsync();

        var result = await database.WithCreditsAsync(c => c.AdjustCreditsAsync(user, -10, "correction", "admin_1"), services);

        Assert.True(result.Success, $"refused: {result.Error}");
        Assert.Equal((0L, 0L, 2), await database.ReadLedgerAsync(user, services));
    }

    /// <summary>
    /// A user with 10 credits and an 8-credit hold that lapsed a minute ago (still counted in the balance row), on
    /// services whose next refused debit of that user is followed by the sweeper ending the hold on its own connection.
    /// </summary>
    private async Task<(string User, IServiceProvider Services)> UserWithALapsedHoldAsync()
    {
        var user = "race_" + Guid.NewGuid().ToString("N");
        var sweepAfterDebit = new SweepAfterFirstDebit(user);
        var services = database.BuildServices(database.ConnectionString, time: clock, configureContext: o => o.AddInterceptors(sweepAfterDebit));
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"), services);
        await using (var scope = services.CreateAsyncScope())
        {
            var hold = await scope.ServiceProvider.GetRequiredService<ICreditReservationService>()
                .ReserveCreditsAsync(user, "video-generation", "hailuo", ttl: TimeSpan.FromMinutes(1));
            Assert.True(hold.Success);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        sweepAfterDebit.Arm(async () =>
        {
            await using var sweeper = services.CreateAsyncScope();
            Assert.Equal(1, await sweeper.ServiceProvider.GetRequiredService<ICreditReservationService>().ExpireReservationsAsync());
        });
        return (user, services);
    }

    /// <summary>Once armed, runs the action once, right after the first conditional debit of the user's balance row.</summary>
    private sealed class SweepAfterFirstDebit(string user) : DbCommandInterceptor
    {
        private Func<Task>? action;

        public void Arm(Func<Task> sweep) => action = sweep;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
            DbDataReader result, CancellationToken cancellationToken = default)
        {
            await RunAfterDebitAsync(command);
            return result;
        }

        public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            await RunAfterDebitAsync(command);
            return result;
        }

        private async Task RunAfterDebitAsync(DbCommand command)
        {
            var text = InterceptedCommand.Text(command);
            if (action is null || !text.Contains("UPDATE", StringComparison.Ordinal) || !text.Contains(">=", StringComparison.Ordinal)
                || !InterceptedCommand.Carries(command, user))
            {
                return;
            }

            var sweep = action;
            action = null;
            await sweep();
        }
    }
}

public sealed class PostgresHoldLapseRaceTests(PostgresCreditsDatabase database) : HoldLapseRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldLapseRaceTests(MariaDbCreditsDatabase database) : HoldLapseRaceTests<MariaDbCreditsDatabase>(database);
