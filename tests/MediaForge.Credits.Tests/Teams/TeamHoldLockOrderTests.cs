using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>
/// Every settlement of a member's hold on a team's wallet takes the member's row before the wallet's balance row, as a
/// spend does, so the member's spend arriving while the hold is settled waits for it and never deadlocks. Each case
/// starts the spend right after the settlement changed the hold's row, and lets the settlement go on once the spend
/// waits (or has ended). The member's limit is 100 (a hold counts against it, and what a capture leaves unused goes
/// back to it); the sweep's give-back of a count a debit left takes them too. PostgreSQL and MariaDB (as <see cref="Holds.HoldLockOrderTests{TDatabase}"/>). A Veo 2 video holds 15; an image costs 3.
/// </summary>
public abstract class TeamHoldLockOrderTests<TDatabase> : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly FailedCommands failed = new();
    private readonly AnotherCallAfterTheNextWrite next;
    private readonly TeamSetup setup;

    protected TeamHoldLockOrderTests(TDatabase database)
    {
        next = new AnotherCallAfterTheNextWrite(database, "credit_reservations");
        setup = new TeamSetup(database, clock, configureContext: o => o.AddInterceptors(next, failed));
    }

    [Theory]
    [InlineData("capture")]
    [InlineData("release")]
    [InlineData("sweep")]
    [InlineData("late capture")]
    public async Task SettlingAMembersHold_TheMembersSpendArrivingMeanwhile_WaitsWithoutADeadlock(string settlement)
    {
        var (teamId, member) = await setup.FundedMemberAsync(pool: 100, limit: 100);
        var hold = (await setup.TeamHoldAsync(teamId, member)).ReservationId!.Value;
        Task<CreditDeductionResult>? spend = null;
        next.Call = () => spend = setup.SpendAsync(teamId, member);
        if (settlement is "sweep" or "late capture")
        {
            clock.Advance(TimeSpan.FromMinutes(6));
        }

        await (settlement switch
        {
            "capture" => setup.Holds(h => h.CaptureReservationAsync(hold, 10)),
            "release" => setup.Holds(h => h.ReleaseReservationAsync(hold)),
            "sweep" => setup.Holds(h => h.ExpireReservationsAsync()),
            _ => (Task)setup.Holds(h => h.CaptureExpiredReservationAsync(hold, 10)),
        });
        await next.Started;

        Assert.Empty(failed.Errors);
        Assert.True((await spend!).Success);
    }

    [Fact]
    public async Task SweepGivingALapsedHoldsCountBack_ALateCaptureOfItArrivingMeanwhile_WaitsWithoutADeadlock()
    {
        // The owner's hold of 8 lapses; a member's spend finds the pool short and ends it in passing, its count still
        // counted: the sweep's second pass gives it back, and the late capture starts right after that pass changed the
        // hold's row.
        var (teamId, owner) = await setup.TeamAsync();
        var member = await setup.MemberAsync(teamId, owner);
        await setup.FundAsync(teamId, 10);
        var hold = (await setup.Holds(h => h.ReserveCreditsAsync(owner, "image-generation", "default", TimeSpan.FromMinutes(5), amount: 8,
            wallet: CreditWallet.Team(teamId)))).ReservationId!.Value;
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await setup.SpendAsync(teamId, member)).Success);
        Task<CreditReservationSettlement>? late = null;
        next.Call = () => late = setup.Holds(h => h.CaptureExpiredReservationAsync(hold, 3));

        await setup.Holds(h => h.ExpireReservationsAsync());
        await next.Started;

        Assert.Empty(failed.Errors);
        Assert.True((await late!).Success);
    }
}

public sealed class PostgresTeamHoldLockOrderTests(PostgresCreditsDatabase database) : TeamHoldLockOrderTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTeamHoldLockOrderTests(MariaDbCreditsDatabase database) : TeamHoldLockOrderTests<MariaDbCreditsDatabase>(database);
