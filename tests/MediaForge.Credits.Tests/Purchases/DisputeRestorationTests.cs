using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// What a won dispute gives back and what a frozen one holds: the restored credits keep their pack's expiry (not that of
/// another lot of the buyer) and say why; a freeze holds only credits not lapsed; a decision releases the dispute's
/// freeze and no other hold.
/// </summary>
public abstract class DisputeRestorationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private ServiceProvider Services(CreditDisputePolicy policy) => database.BuildServices(database.ConnectionString, o => o.DisputePolicy = policy, clock);

    private Task<PurchaseReversalResult> DisputeAsync(IServiceProvider services, string payment, PaymentDisputeState state) =>
        database.WithPurchasesAsync(p => p.RecordDisputeAsync(payment, "dp_" + payment, 2999, state), services);

    private async Task<T> Db<T>(IServiceProvider services, Func<CreditsDbContext, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    [Fact]
    public async Task DisputeWon_RestoresThePackWithItsOwnExpiry_NotThatOfTheBuyersSoonerLot()
    {
        var services = Services(CreditDisputePolicy.ClawBackOnOpen);
        var user = "user_" + Guid.NewGuid().ToString("N");
        var soon = clock.GetUtcNow().AddDays(10);
        await database.WithCreditsAsync(c => c.AddExpiringCreditsAsync(user, 10, CreditTransactionType.Bonus, "welcome", soon), services);
        var (_, payment) = await database.BuyAsync(await database.PackageWithLifetimeAsync(30), services: services, user: user);
        await DisputeAsync(services, payment, PaymentDisputeState.Open);

        await DisputeAsync(services, payment, PaymentDisputeState.Won);

        var lots = await Db(services, db => db.Grants.AsNoTracking().Where(g => g.UserId == user && g.Remaining > 0).OrderBy(g => g.ExpiresAt).ToListAsync());
        Assert.Equal([(10L, soon.UtcDateTime), (200L, clock.GetUtcNow().UtcDateTime.AddDays(30))], lots.Select(l => (l.Remaining, l.ExpiresAt)));
    }

    [Fact]
    public async Task DisputeWon_RestoredCredits_SayTheDisputeWasWon()
    {
        var services = Services(CreditDisputePolicy.ClawBackOnOpen);
        var (user, payment) = await database.BuyAsync(services: services);
        await DisputeAsync(services, payment, PaymentDisputeState.Open);

        await DisputeAsync(services, payment, PaymentDisputeState.Won);

        var restored = await Db(services, db => db.Transactions.AsNoTracking()
            .SingleAsync(t => t.UserId == user && t.Type == CreditTransactionType.Adjustment && t.Amount > 0));
        Assert.Equal(("Dispute won: credits restored", 200L), (restored.Description, restored.Amount));
    }

    [Fact]
    public async Task DisputeOpened_FreezePolicy_PackLapsedSince_FreezesNothing()
    {
        var services = Services(CreditDisputePolicy.FreezeOnOpen);
        var (user, payment) = await database.BuyAsync(await database.PackageWithLifetimeAsync(30), services: services);
        clock.Advance(TimeSpan.FromDays(31));

        await DisputeAsync(services, payment, PaymentDisputeState.Open);

        var account = await Db(services, db => db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == user));
        Assert.Equal((0L, 0L), (account.Balance, account.Reserved));
    }

    [Fact]
    public async Task DisputeWon_FreezePolicy_ReleasesTheFreezeAndLeavesTheBuyersJobHoldActive()
    {
        var services = Services(CreditDisputePolicy.FreezeOnOpen);
        var (user, payment) = await database.BuyAsync(services: services);
        Assert.True((await database.WithHoldsAsync(h => h.ReserveCreditsAsync(user, "video-generation", "veo2"), services)).Success);

        await DisputeAsync(services, payment, PaymentDisputeState.Open);
        await DisputeAsync(services, payment, PaymentDisputeState.Won);

        var active = await Db(services, db => db.Reservations.AsNoTracking().Where(r => r.UserId == user && r.Status == ReservationStatus.Active)
            .Select(r => new { r.Feature, r.Amount }).ToListAsync());
        Assert.Equal([("video-generation", 15L)], active.Select(h => (h.Feature, h.Amount)));
    }
}

public sealed class SqliteDisputeRestorationTests(SqliteCreditsDatabase database) : DisputeRestorationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresDisputeRestorationTests(PostgresCreditsDatabase database) : DisputeRestorationTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbDisputeRestorationTests(MariaDbCreditsDatabase database) : DisputeRestorationTests<MariaDbCreditsDatabase>(database);
