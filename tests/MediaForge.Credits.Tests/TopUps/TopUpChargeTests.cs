using MediaForge.Credits.Entities;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Events;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// After the trigger: the worker's claims, a failed attempt counted once whoever reports it, the pause after
/// <see cref="CreditAutoTopUpOptions.MaxConsecutiveFailures"/> with <see cref="TopUpFailed"/>, and the grant once per
/// payment intent with <see cref="TopUpSucceeded"/>.
/// </summary>
public abstract class TopUpChargeTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Build(database, configure: o => o.AutoTopUp.RetryDelay = TimeSpan.FromMilliseconds(1));

    private Task<(string Wallet, Guid TopUp)> CrossedAsync() => TopUpScenario.CrossedAsync(Services);

    private Task<CreditTopUpOutcome> SucceedAsync(Guid topUp, string paymentIntent, long amount = PackPrice, string currency = "usd") =>
        TopUpScenario.SucceedAsync(Services, topUp, paymentIntent, amount, currency);

    private Task<bool> FailAsync(Guid topUp, int attempt, string reason = "card_declined") =>
        ChargesAsync(Services, c => c.FailedAsync(topUp, attempt, reason, "pi_" + attempt, default));

    [Fact]
    public async Task Succeeded_GrantsThePacksCreditsAndRaisesTopUpSucceeded()
    {
        var (wallet, topUp) = await CrossedAsync();

        Assert.Equal(CreditTopUpOutcome.Granted, await SucceedAsync(topUp, "pi_ok"));

        Assert.Equal(9 + PackCredits, (await database.ReadLedgerAsync(wallet, Services)).Balance);
        Assert.Equal(CreditTopUpStatus.Succeeded, Assert.Single(await TopUpsAsync(Services, wallet)).Status);
        var raised = Assert.Single(await Outbox.EventsAsync<TopUpSucceeded>(Services, wallet));
        Assert.Equal((topUp, "pro", PackCredits, PackPrice, "usd"), (raised.TopUpId, raised.PackageId, raised.Credits, raised.AmountCents, raised.Currency));
    }

    [Fact]
    public async Task Succeeded_WritesAPurchaseRowNamingThePackKeyedByThePaymentIntent()
    {
        var (wallet, topUp) = await CrossedAsync();

        await SucceedAsync(topUp, "pi_row");

        await using var scope = Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditTransaction>().AsNoTracking()
            .SingleAsync(t => t.UserId == wallet && t.Amount == PackCredits);
        Assert.Equal((CreditTransactionType.Purchase, "Auto top-up: pro", "mf:top-up:pi_row", "pi_row"), (row.Type, row.Description, row.IdempotencyKey, row.Reference));
    }

    [Fact]
    public async Task Succeeded_DeliveredAgain_GrantsOnce()
    {
        var (wallet, topUp) = await CrossedAsync();

        await SucceedAsync(topUp, "pi_again");
        Assert.Equal(CreditTopUpOutcome.AlreadyGranted, await SucceedAsync(topUp, "pi_again"));

        var ledger = await database.ReadLedgerAsync(wallet, Services);
        Assert.Equal((9 + PackCredits, 9 + PackCredits), (ledger.Balance, ledger.LedgerSum));
        Assert.Single(await Outbox.EventsAsync<TopUpSucceeded>(Services, wallet));
    }

    [Fact]
    public async Task Succeeded_TwentyConcurrentDeliveries_GrantOnce()
    {
        var (wallet, topUp) = await CrossedAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            try
            {
                return await SucceedAsync(topUp, "pi_race");
            }
            catch (Exception error) when (error is Microsoft.EntityFrameworkCore.DbUpdateException or System.Data.Common.DbException)
            {
                return CreditTopUpOutcome.AlreadyGranted; // the loser's insert of the same key: its transaction rolled back
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o == CreditTopUpOutcome.Granted));
        var ledger = await database.ReadLedgerAsync(wallet, Services);
        Assert.Equal((9 + PackCredits, 9 + PackCredits), (ledger.Balance, ledger.LedgerSum));
    }

    [Theory]
    [InlineData(PackPrice - 1, "usd")]
    [InlineData(PackPrice, "eur")]
    public async Task Succeeded_AnotherAmountOrCurrency_GrantsNothing(long amount, string currency)
    {
        var (wallet, topUp) = await CrossedAsync();

        Assert.Equal(CreditTopUpOutcome.Mismatch, await SucceedAsync(topUp, "pi_tampered", amount, currency));

        Assert.Equal(9, (await database.ReadLedgerAsync(wallet, Services)).Balance);
    }

    [Fact]
    public async Task Succeeded_UnknownTopUp_GrantsNothing() =>
        Assert.Equal(CreditTopUpOutcome.Unknown, await SucceedAsync(Guid.NewGuid(), "pi_unknown"));

    [Fact]
    public async Task Failed_SameAttemptReportedTwice_CountsOnce()
    {
        var (wallet, topUp) = await CrossedAsync();

        Assert.True(await FailAsync(topUp, 1));
        Assert.False(await FailAsync(topUp, 1)); // the webhook after the worker's own answer

        Assert.Equal(1, (await SettingsAsync(Services, wallet)).ConsecutiveFailures);
        Assert.Single(await Outbox.EventsAsync<TopUpFailed>(Services, wallet));
    }

    [Fact]
    public async Task Failed_BelowTheLimit_RetriesTheTopUpAndRaisesAnUnpausedFailure()
    {
        var (wallet, topUp) = await CrossedAsync();

        await FailAsync(topUp, 1, "requires_action");

        var row = Assert.Single(await TopUpsAsync(Services, wallet));
        Assert.Equal((CreditTopUpStatus.Pending, 1), (row.Status, row.FailedAttempts));
        var failure = Assert.Single(await Outbox.EventsAsync<TopUpFailed>(Services, wallet));
        Assert.Equal((1, false, "requires_action"), (failure.Attempt, failure.Paused, failure.Reason));
    }

    [Fact]
    public async Task Failed_RecordsThePaymentIntentThatFailed_AReportWithoutOneKeepsIt()
    {
        var (wallet, topUp) = await CrossedAsync();

        await FailAsync(topUp, 1); // pi_1
        var first = Assert.Single(await TopUpsAsync(Services, wallet)).PaymentIntentId;
        await ChargesAsync(Services, c => c.FailedAsync(topUp, 2, "expired_card", null, default));

        Assert.Equal(("pi_1", "pi_1"), (first, Assert.Single(await TopUpsAsync(Services, wallet)).PaymentIntentId));
    }

    [Fact]
    public async Task Failed_AgainWithAnotherPaymentIntent_RecordsTheLaterOne()
    {
        var (wallet, topUp) = await CrossedAsync();
        await FailAsync(topUp, 1); // pi_1

        await FailAsync(topUp, 2); // pi_2

        Assert.Equal("pi_2", Assert.Single(await TopUpsAsync(Services, wallet)).PaymentIntentId);
    }

    [Fact]
    public async Task Failed_ThreeTimesInARow_PausesAutoTopUpAndRaisesTopUpFailedPaused()
    {
        var (wallet, topUp) = await CrossedAsync();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.True(await FailAsync(topUp, attempt));
        }

        var settings = await SettingsAsync(Services, wallet);
        Assert.Equal((true, 3), (settings.Paused, settings.ConsecutiveFailures));
        Assert.Equal(CreditTopUpStatus.Failed, Assert.Single(await TopUpsAsync(Services, wallet)).Status);
        var failures = await Outbox.EventsAsync<TopUpFailed>(Services, wallet);
        Assert.Equal([false, false, true], failures.OrderBy(f => f.Attempt).Select(f => f.Paused));
    }

    [Fact]
    public async Task Paused_NextCrossingCreatesNoTopUp_UntilTheSettingsAreSavedAgain()
    {
        var (wallet, topUp) = await CrossedAsync();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await FailAsync(topUp, attempt);
        }

        await CrossAsync(Services, wallet);
        Assert.Single(await TopUpsAsync(Services, wallet));

        await EnableAsync(Services, wallet, 0, paymentMethod: false);
        await CrossAsync(Services, wallet);
        Assert.Equal(2, (await TopUpsAsync(Services, wallet)).Count);
        Assert.False((await SettingsAsync(Services, wallet)).Paused);
    }

    [Fact]
    public async Task Paused_AnotherWalletsPendingTopUp_StaysPending()
    {
        var (other, _) = await CrossedAsync();
        var (_, topUp) = await CrossedAsync();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await FailAsync(topUp, attempt);
        }

        Assert.Equal(CreditTopUpStatus.Pending, Assert.Single(await TopUpsAsync(Services, other)).Status);
    }

    [Fact]
    public async Task Failed_OfAPausedWalletWhoseFailuresALateSuccessCleared_StaysPaused()
    {
        var (wallet, first) = await CrossedAsync();
        await CrossAsync(Services, wallet);
        var second = (await TopUpsAsync(Services, wallet))[1].Id;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await FailAsync(first, attempt);
        }

        await SucceedAsync(first, $"pi_late_{first:N}"); // 3-D Secure completed after the pause: no failures in a row
        Assert.True(await FailAsync(second, 1));

        var settings = await SettingsAsync(Services, wallet);
        Assert.Equal((true, 1), (settings.Paused, settings.ConsecutiveFailures));
    }

    [Fact]
    public async Task Succeeded_AfterAFailure_ClearsTheFailuresInARow()
    {
        var (wallet, topUp) = await CrossedAsync();
        await FailAsync(topUp, 1);

        await SucceedAsync(topUp, "pi_second");

        Assert.Equal(0, (await SettingsAsync(Services, wallet)).ConsecutiveFailures);
        Assert.False(await FailAsync(topUp, 2)); // a late failure of a paid top-up counts nothing
    }

    [Fact]
    public async Task Succeeded_LeavesAnotherWalletsFailuresInARow()
    {
        var (other, failing) = await CrossedAsync();
        await FailAsync(failing, 1);
        var (_, topUp) = await CrossedAsync();

        await SucceedAsync(topUp, $"pi_{topUp:N}");

        Assert.Equal(1, (await SettingsAsync(Services, other)).ConsecutiveFailures);
    }

    [Fact]
    public async Task Claim_TwoWorkersAtOnce_EachTopUpGoesToOne()
    {
        var wallets = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            wallets.Add((await CrossedAsync()).Wallet);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            ChargesAsync(Services, c => c.ClaimAsync(Guid.NewGuid(), 1000, default)))));

        var ours = claims.SelectMany(c => c).Where(t => wallets.Contains(t.WalletId)).ToList();
        Assert.Equal(5, ours.Count);
        Assert.Equal(5, ours.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public async Task Charging_AfterAClaim_IsNotClaimedAgain()
    {
        var (wallet, topUp) = await CrossedAsync();
        var owner = Guid.NewGuid();
        await ChargesAsync(Services, c => c.ClaimAsync(owner, 1000, default));

        Assert.Equal(1, await ChargesAsync(Services, c => c.ChargingAsync(topUp, owner, "pi_charging", default)));

        var again = await ChargesAsync(Services, c => c.ClaimAsync(Guid.NewGuid(), 1000, default));
        Assert.DoesNotContain(again, t => t.Id == topUp);
        Assert.Equal(CreditTopUpStatus.Charging, Assert.Single(await TopUpsAsync(Services, wallet)).Status);
    }
}

public sealed class SqliteTopUpChargeTests(SqliteCreditsDatabase database) : TopUpChargeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTopUpChargeTests(PostgresCreditsDatabase database) : TopUpChargeTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTopUpChargeTests(MariaDbCreditsDatabase database) : TopUpChargeTests<MariaDbCreditsDatabase>(database);
