using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Analytics;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// The worker's side of a top-up on a clock of its own (in 2001, so no other test's top-up is ever due): which due
/// top-ups a claim takes, how long its lease keeps them, and a claimed top-up given back without counting a failure.
/// Retry delay 1 hour, lease 2 minutes (the defaults).
/// </summary>
public abstract class TopUpClaimTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTimeOffset Start = new(2001, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly SettableClock clock = new(Start);

    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Build(database, clock);

    private Task<IReadOnlyList<CreditTopUpRow>> ClaimAsync(Guid owner, int count) => ChargesAsync(Services, c => c.ClaimAsync(owner, count, default));

    private Task<int> ReleaseAsync(Guid topUp, Guid owner, string error) =>
        ChargesAsync(Services, async c => { await c.ReleaseAsync(topUp, owner, error, default); return 0; });

    /// <summary>Ends the top-ups earlier tests of this class left pending, then crosses <paramref name="count"/> wallets a minute apart.</summary>
    private async Task<List<Guid>> CrossedAsync(int count)
    {
        clock.SetUtcNow(Start);
        await using (var scope = Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditTopUpRow>().Where(t => t.NextAttemptAt < new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, CreditTopUpStatus.Failed));
        }

        var topUps = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            topUps.Add((await TopUpScenario.CrossedAsync(Services)).TopUp);
            clock.SetUtcNow(clock.GetUtcNow().AddMinutes(1));
        }

        return topUps;
    }

    private async Task<CreditTopUpRow> RowAsync(Guid topUp)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditTopUpRow>().AsNoTracking().SingleAsync(t => t.Id == topUp);
    }

    [Fact]
    public async Task Claim_FewerThanAreDue_TakesTheOldestDue()
    {
        var topUps = await CrossedAsync(3);

        var claimed = await ClaimAsync(Guid.NewGuid(), 2);

        Assert.Equal(topUps[..2], claimed.Select(t => t.Id));
    }

    [Fact]
    public async Task Claim_WhileAnotherWorkersLeaseRuns_TakesNothing_AfterItEndsTakesItAgain()
    {
        var topUp = Assert.Single(await CrossedAsync(1));
        await ClaimAsync(Guid.NewGuid(), 10);

        clock.SetUtcNow(clock.GetUtcNow().AddMinutes(1));
        Assert.Empty(await ClaimAsync(Guid.NewGuid(), 10));
        clock.SetUtcNow(clock.GetUtcNow().AddMinutes(1)); // the lease ends
        Assert.Equal([topUp], (await ClaimAsync(Guid.NewGuid(), 10)).Select(t => t.Id));
    }

    [Fact]
    public async Task Claim_NothingDue_TakesNothing()
    {
        await CrossedAsync(0);

        Assert.Empty(await ClaimAsync(Guid.NewGuid(), 10));
    }

    [Fact]
    public async Task Release_ClaimedTopUp_IsDueAgainAfterTheRetryDelayWithItsErrorAndNoFailureCounted()
    {
        var topUp = Assert.Single(await CrossedAsync(1));
        var owner = Guid.NewGuid();
        await ClaimAsync(owner, 10);

        await ReleaseAsync(topUp, owner, "provider unreachable");

        var row = await RowAsync(topUp);
        Assert.Equal((CreditTopUpStatus.Pending, 0, "provider unreachable", (Guid?)null, clock.GetUtcNow().UtcDateTime.AddHours(1)),
            (row.Status, row.FailedAttempts, row.LastError, row.LeaseOwner, row.NextAttemptAt));
        Assert.Equal(0, (await SettingsAsync(Services, row.WalletId)).ConsecutiveFailures);
        clock.SetUtcNow(clock.GetUtcNow().AddMinutes(59));
        Assert.Empty(await ClaimAsync(Guid.NewGuid(), 10));
        clock.SetUtcNow(clock.GetUtcNow().AddMinutes(1));
        Assert.Equal([topUp], (await ClaimAsync(Guid.NewGuid(), 10)).Select(t => t.Id));
    }

    [Fact]
    public async Task Failed_ClaimedTopUp_IsDueAgainAfterTheRetryDelay()
    {
        var topUp = Assert.Single(await CrossedAsync(1));
        await ClaimAsync(Guid.NewGuid(), 10);

        Assert.True(await ChargesAsync(Services, c => c.FailedAsync(topUp, 1, "card_declined", "pi_declined", default)));

        clock.SetUtcNow(clock.GetUtcNow().AddMinutes(59));
        Assert.Empty(await ClaimAsync(Guid.NewGuid(), 10));
        clock.SetUtcNow(clock.GetUtcNow().AddMinutes(1));
        Assert.Equal([topUp], (await ClaimAsync(Guid.NewGuid(), 10)).Select(t => t.Id));
    }

    [Fact]
    public async Task Release_ByAWorkerNotHoldingTheLease_ChangesNothing()
    {
        var topUp = Assert.Single(await CrossedAsync(1));
        var owner = Guid.NewGuid();
        await ClaimAsync(owner, 10);

        await ReleaseAsync(topUp, Guid.NewGuid(), "not mine");

        var row = await RowAsync(topUp);
        Assert.Equal((owner, (string?)null, Start.UtcDateTime), (row.LeaseOwner!.Value, row.LastError, row.NextAttemptAt));
    }

    [Fact]
    public async Task Charging_ByAWorkerNotHoldingTheLease_ChangesNothing()
    {
        var topUp = Assert.Single(await CrossedAsync(1));
        var owner = Guid.NewGuid();
        await ClaimAsync(owner, 10);

        Assert.Equal(0, await ChargesAsync(Services, c => c.ChargingAsync(topUp, Guid.NewGuid(), "pi_not_mine", default)));

        var row = await RowAsync(topUp);
        Assert.Equal((CreditTopUpStatus.Pending, owner, (string?)null), (row.Status, row.LeaseOwner!.Value, row.PaymentIntentId));
    }

    [Fact]
    public async Task Release_AfterItsPaymentIntentWasCreated_ChangesNothing()
    {
        var topUp = Assert.Single(await CrossedAsync(1));
        var owner = Guid.NewGuid();
        await ClaimAsync(owner, 10);
        Assert.Equal(1, await ChargesAsync(Services, c => c.ChargingAsync(topUp, owner, "pi_charging", default)));

        await ReleaseAsync(topUp, owner, "late");

        var row = await RowAsync(topUp);
        Assert.Equal((CreditTopUpStatus.Charging, (string?)null), (row.Status, row.LastError));
    }

    [Fact]
    public async Task Release_ErrorLongerThan500Characters_KeepsItsFirst500()
    {
        var topUp = Assert.Single(await CrossedAsync(1));
        var owner = Guid.NewGuid();
        await ClaimAsync(owner, 10);

        await ReleaseAsync(topUp, owner, new string('e', 499) + "xy");

        Assert.Equal(new string('e', 499) + "x", (await RowAsync(topUp)).LastError);
    }
}

public sealed class SqliteTopUpClaimTests(SqliteCreditsDatabase database) : TopUpClaimTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTopUpClaimTests(PostgresCreditsDatabase database) : TopUpClaimTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTopUpClaimTests(MariaDbCreditsDatabase database) : TopUpClaimTests<MariaDbCreditsDatabase>(database);
