using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The late-capture part of the model (<see cref="ICreditReservationService.CaptureExpiredReservationAsync"/>): a job
/// that outlived its hold is charged from the credits spendable now. Half the steps first move the clock past the hold's
/// expiry (the job outlived it), and half let another hold take every spendable credit meanwhile; then the step lapses the credits due
/// (<see cref="ICreditService.ExpireCreditsAsync"/>), so the expectation is read from the rows as the capture will find
/// them: a lapsed hold (expired, or active past its expiry) is charged exactly when the balance less the other holds
/// covers the charge, and then exactly the charge; a live hold is captured as by a capture; a captured or released
/// hold moves nothing. The burn order, the alerts and the top-up trigger of the charge are checked after the step as
/// for every debit.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>
{
    /// <summary>A one-minute hold of a feature's price for a job about to outlive it; placed exactly when <paramref name="available"/> covers it.</summary>
    private static async Task<Guid?> ReserveBrieflyAsync(ICreditReservationService reservations, string user, (string Feature, string Model, long Price) use, long available, string where)
    {
        var hold = await reservations.ReserveCreditsAsync(user, use.Feature, use.Model, ttl: TimeSpan.FromMinutes(1));
        Assert.True(hold.Success == (available >= use.Price), $"{where}: available {available}, price {use.Price}, success {hold.Success}");
        return hold.ReservationId;
    }

    /// <summary>Meanwhile another job holds every credit the hold's user can spend (a one-hour hold); its id, if any.</summary>
    private static async Task<Guid?> CrowdOutAsync(IServiceProvider scope, ICreditReservationService reservations, Guid holdId, string where)
    {
        var db = scope.GetRequiredService<CreditsDbContext>();
        var user = await db.Reservations.Where(r => r.Id == holdId).Select(r => r.UserId).SingleAsync();
        var available = (await scope.GetRequiredService<ICreditService>().GetBalanceAsync(user)).Available;
        if (available <= 0)
        {
            return null;
        }

        var hold = await reservations.ReserveCreditsAsync(user, "image-generation", "default", TimeSpan.FromHours(1), amount: available);
        Assert.True(hold.Success, $"{where}: a hold of all {available} spendable credits was refused: {hold.Error}");
        return hold.ReservationId;
    }

    /// <summary>Runs the late capture of <paramref name="holdId"/> (all, or a part by <paramref name="part"/>); the settlement when it charged.</summary>
    private static async Task<CreditReservationSettlement?> CaptureLateAsync(IServiceProvider services, FakeTimeProvider clock, Guid holdId, int part, bool outlive, List<Guid>? crowd, string where)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var expiresAt = await db.Reservations.Where(r => r.Id == holdId).Select(r => r.ExpiresAt).SingleAsync();
        if (outlive && expiresAt > clock.GetUtcNow().UtcDateTime)
        {
            // The job outlives its hold: the clock passes the hold's expiry (other holds and lots may lapse with it).
            clock.Advance(expiresAt - clock.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(1));
        }

        await scope.ServiceProvider.GetRequiredService<ICreditService>().ExpireCreditsAsync();
        var reservations = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
        if (crowd is not null && await CrowdOutAsync(scope.ServiceProvider, reservations, holdId, where) is { } crowding)
        {
            crowd.Add(crowding);
        }

        var hold = await db.Reservations.AsNoTracking().SingleAsync(r => r.Id == holdId);
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == hold.UserId);
        var now = clock.GetUtcNow().UtcDateTime;
        var charge = part == 0 ? hold.Amount : hold.Amount / (part + 1);
        var lapsed = hold.Status == ReservationStatus.Expired || (hold.Status == ReservationStatus.Active && hold.ExpiresAt <= now);
        var otherHolds = account.Reserved - (hold.Status == ReservationStatus.Active ? hold.Amount : 0);
        // Credits past their expiry that the lapsed hold still kept lapse when the capture ends the hold, before it charges.
        var pastDue = await db.Grants.AsNoTracking().Where(g => g.UserId == hold.UserId && g.Remaining > 0 && g.ExpiresAt <= now).SumAsync(g => g.Remaining);
        var lapsing = lapsed ? Math.Min(pastDue, Math.Max(0, account.Balance - otherHolds)) : 0;

        var settled = await reservations.CaptureExpiredReservationAsync(holdId, part == 0 ? null : charge);

        var after = await db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == hold.UserId);
        var taken = account.Balance - after.Balance;
        if (lapsed)
        {
            var covered = account.Balance - lapsing - otherHolds >= charge;
            Assert.True(settled.Success == covered, $"{where}: lapsed hold of {hold.Amount}, charge {charge}, balance {account.Balance}, lapsing {lapsing}, other holds {otherHolds}: success {settled.Success}");
            Assert.True(taken == lapsing + (covered ? charge : 0) && settled.CreditsCharged == (covered ? charge : 0),
                $"{where}: late capture of {charge} took {taken} ({lapsing} lapsing), reported {settled.CreditsCharged}");
            Assert.Equal(covered ? ReservationStatus.Captured : ReservationStatus.Expired, settled.Status);
        }
        else if (hold.Status == ReservationStatus.Active)
        {
            // A live hold: a capture (at most what a clawback left of it).
            Assert.True(settled.Success && !settled.IsReplay && taken == settled.CreditsCharged && taken <= charge, $"{where}: live hold, charge {charge}: {settled.Status}, took {taken}");
        }
        else
        {
            Assert.True(taken == 0 && (!settled.Success || settled.IsReplay), $"{where}: {hold.Status} hold: {settled.Status}, success {settled.Success}, took {taken}");
        }

        // A capture that charged nothing (a clawback took what the hold kept) writes no ledger row.
        return settled.Success && !settled.IsReplay && settled.CreditsCharged > 0 ? settled : null;
    }
}
