using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Events;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.TopUps;

/// <summary>
/// Auto top-up against the fake Stripe API: the card kept from a checkout, the worker's off-session charge, the grant
/// only on <c>payment_intent.succeeded</c> (once, whatever the duplicates and order), failures counted once, the pause.
/// </summary>
public abstract class AutoTopUpStripeTests<TDatabase>(TDatabase database) : AutoTopUpAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task PaymentIntentSucceeded_OfACheckoutThatKeepsItsCard_SavesTheWalletsPaymentMethod()
    {
        var user = await EnabledUserAsync();

        Assert.True((await SettingsAsync(user)).HasPaymentMethod);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_NotSetUpForOffSession_SavesNoCard()
    {
        var user = NewUser();

        var receipt = await ReceiptAsync(TopUpPayloads.Succeeded("pi_plain_" + user, PackPrice, "usd",
            new Dictionary<string, string> { ["save_for_wallet"] = user }, setupFutureUsage: null));

        Assert.Equal("ignored", receipt.Outcome);
        Assert.False((await SettingsAsync(user)).HasPaymentMethod);
    }

    [Fact]
    public async Task Worker_PendingTopUp_ChargesOffSessionWithTheTopUpsKeyAndGrantsNothingYet()
    {
        var (user, topUp) = await CrossedAsync();

        await ChargeAsync();

        var (form, key) = Assert.Single(ChargesOf(user));
        Assert.Equal(("2999", "usd", "cus_" + user, "pm_" + user, "true", "true", topUp.Id.ToString(), "1"),
            (form["amount"], form["currency"], form["customer"], form["payment_method"], form["off_session"], form["confirm"],
                form["metadata[top_up_id]"], form["metadata[top_up_attempt]"]));
        Assert.Equal($"mf-top-up-{topUp.Id}-1", key);
        Assert.Equal(("Auto top-up: pro", "pro", user), (form["description"], form["metadata[package_id]"], form["metadata[wallet_id]"]));
        Assert.Equal(9, await App.BalanceAsync(user));
        Assert.Equal(CreditTopUpStatus.Charging, Assert.Single(await TopUpsAsync(user)).Status);
    }

    [Fact]
    public async Task Worker_PaymentIntentStillProcessing_IsChargingNotFailed()
    {
        var (user, _) = await CrossedAsync();
        App.Stripe.PaymentIntentOutcome = "processing";

        await ChargeAsync();

        var topUp = Assert.Single(await TopUpsAsync(user));
        Assert.Equal((CreditTopUpStatus.Charging, 0), (topUp.Status, topUp.FailedAttempts));
        Assert.Equal(0, (await SettingsAsync(user)).ConsecutiveFailures);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_GrantsThePackOnce_WhateverTheDuplicates()
    {
        var (user, topUp) = await CrossedAsync();
        await ChargeAsync();
        var paymentIntent = ChargesOf(user).Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "_pi_" + user;
        var first = SucceededFor(topUp, paymentIntent);

        Assert.Equal("top_up_granted", (await ReceiptAsync(first)).Outcome);
        Assert.True((await ReceiptAsync(first)).Duplicate);
        Assert.Equal("top_up_already_granted", (await ReceiptAsync(SucceededFor(topUp, paymentIntent))).Outcome); // another event id

        Assert.Equal(9 + PackCredits, await App.BalanceAsync(user));
        Assert.Equal(CreditTopUpStatus.Succeeded, Assert.Single(await TopUpsAsync(user)).Status);
        Assert.Single(await EventsAsync<TopUpSucceeded>(user));
    }

    [Fact]
    public async Task PaymentIntentSucceeded_TwentyDeliveriesAtOnce_GrantOnce()
    {
        var (user, topUp) = await CrossedAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            App.Client().SendAsync(WebhookPayloads.StripeRequest(SucceededFor(topUp, "pi_storm_" + user))))));

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        Assert.Equal(9 + PackCredits, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task PaymentIntentSucceeded_BeforeTheWorkerRecordsItsCharge_GrantsOnceAndTheTopUpStaysPaid()
    {
        var (user, topUp) = await CrossedAsync();

        await ReceiptAsync(SucceededFor(topUp, "pi_early_" + user)); // the webhook overtook the worker
        await ChargeAsync();

        Assert.Empty(ChargesOf(user)); // a paid top-up is not claimed again
        Assert.Equal(9 + PackCredits, await App.BalanceAsync(user));
        Assert.Equal(CreditTopUpStatus.Succeeded, Assert.Single(await TopUpsAsync(user)).Status);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_AnotherAmount_GrantsNothing()
    {
        var (user, topUp) = await CrossedAsync();

        var receipt = await ReceiptAsync(SucceededFor(topUp, "pi_cheap_" + user, amount: 1));

        Assert.StartsWith("mismatch", receipt.Outcome, StringComparison.Ordinal);
        Assert.Equal(9, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task Declined_ThreeTimes_PausesAutoTopUpAndRaisesTopUpFailed()
    {
        var (user, topUp) = await CrossedAsync();
        App.Stripe.PaymentIntentOutcome = "insufficient_funds";

        for (var round = 0; round < 4; round++)
        {
            await Task.Delay(5);
            await ChargeAsync();
        }

        Assert.Equal([$"mf-top-up-{topUp.Id}-1", $"mf-top-up-{topUp.Id}-2", $"mf-top-up-{topUp.Id}-3"], ChargesOf(user).Select(c => c.IdempotencyKey));
        var settings = await SettingsAsync(user);
        Assert.Equal((true, 3), (settings.Paused, settings.ConsecutiveFailures));
        Assert.Equal(CreditTopUpStatus.Failed, Assert.Single(await TopUpsAsync(user)).Status);
        var failures = (await EventsAsync<TopUpFailed>(user)).OrderBy(f => f.Attempt).ToList();
        Assert.Equal([(1, false), (2, false), (3, true)], failures.Select(f => (f.Attempt, f.Paused)));
        Assert.All(failures, f => Assert.Equal("insufficient_funds", f.Reason));
    }

    [Fact]
    public async Task RequiresAction_CountsAsAFailure()
    {
        var (user, _) = await CrossedAsync();
        App.Stripe.PaymentIntentOutcome = "requires_action";

        await ChargeAsync();

        var failure = Assert.Single(await EventsAsync<TopUpFailed>(user));
        Assert.Equal(("requires_action", 1, false), (failure.Reason, failure.Attempt, failure.Paused));
        Assert.Equal(1, (await SettingsAsync(user)).ConsecutiveFailures);
    }

    [Fact]
    public async Task PaymentFailedWebhook_AfterTheWorkersOwnDecline_CountsTheAttemptOnce()
    {
        var (user, topUp) = await CrossedAsync();
        App.Stripe.PaymentIntentOutcome = "card_velocity_exceeded";
        await ChargeAsync();

        var receipt = await ReceiptAsync(TopUpPayloads.Failed("pi_declined_" + user, PackPrice, TopUpPayloads.TopUp(topUp.Id, 1, user)));

        Assert.Equal("top_up_failure_already_counted", receipt.Outcome);
        Assert.Equal(1, (await SettingsAsync(user)).ConsecutiveFailures);
    }

    [Fact]
    public async Task PaymentFailedWebhook_OfACharge_CountsItsAttempt()
    {
        var (user, topUp) = await CrossedAsync();
        await ChargeAsync(); // succeeded at Stripe's door, then the bank declined

        var receipt = await ReceiptAsync(TopUpPayloads.Failed("pi_late_" + user, PackPrice, TopUpPayloads.TopUp(topUp.Id, 1, user), declineCode: "do_not_honor"));

        Assert.Equal("top_up_failed", receipt.Outcome);
        Assert.Equal("do_not_honor", Assert.Single(await EventsAsync<TopUpFailed>(user)).Reason);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_SetUpForOffSession_AnswersThatTheCardIsSaved()
    {
        var user = NewUser();

        var receipt = await ReceiptAsync(TopUpPayloads.Succeeded("pi_saved_" + user, PackPrice, "usd",
            new Dictionary<string, string> { ["save_for_wallet"] = user }, setupFutureUsage: "off_session"));

        Assert.Equal("payment_method_saved", receipt.Outcome);
        Assert.True((await SettingsAsync(user)).HasPaymentMethod);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_WhoseIntentIsStillProcessing_IsIgnoredAndGrantsNothing()
    {
        var (user, topUp) = await CrossedAsync();
        var json = System.Text.Json.Nodes.JsonNode.Parse(SucceededFor(topUp, "pi_processing_" + user))!;
        json["data"]!["object"]!["status"] = "processing";

        var receipt = await ReceiptAsync(json.ToJsonString());

        Assert.Equal("ignored_not_succeeded", receipt.Outcome);
        Assert.Equal(9, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task PaymentIntentSucceeded_OfAnUnknownTopUp_AnswersUnknownTopUp()
    {
        var user = NewUser();

        var receipt = await ReceiptAsync(TopUpPayloads.Succeeded("pi_unknown_" + user, PackPrice, "usd", TopUpPayloads.TopUp(Guid.NewGuid(), 1, user)));

        Assert.Equal("unknown_top_up", receipt.Outcome);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_SetUpForOffSessionWithAnEmptyCustomer_SavesNoCard()
    {
        var user = NewUser();

        var receipt = await ReceiptAsync(TopUpPayloads.Succeeded("pi_nocustomer_" + user, PackPrice, "usd",
            new Dictionary<string, string> { ["save_for_wallet"] = user }, customer: "", setupFutureUsage: "off_session"));

        Assert.Equal("ignored", receipt.Outcome);
        Assert.False((await SettingsAsync(user)).HasPaymentMethod);
    }

    [Fact]
    public async Task StripeDown_CountsNoFailureAndTriesAgainWithTheSameKey()
    {
        var (user, topUp) = await CrossedAsync();
        App.Stripe.PaymentIntentOutcome = "api_error";

        await ChargeAsync();
        await Task.Delay(5);
        await ChargeAsync();

        Assert.Equal([$"mf-top-up-{topUp.Id}-1", $"mf-top-up-{topUp.Id}-1"], ChargesOf(user).Select(c => c.IdempotencyKey));
        Assert.Equal(0, (await SettingsAsync(user)).ConsecutiveFailures);
        Assert.Equal(CreditTopUpStatus.Pending, Assert.Single(await TopUpsAsync(user)).Status);
    }

    [Fact]
    public async Task Worker_DiedAfterCharging_TheNextWorkerChargesWithTheSameKeyAndStripeReplaysTheIntent()
    {
        var (user, topUp) = await CrossedAsync();
        await App.WithServiceAsync<object?, CreditTopUpCharges>(async c => await c.ClaimAsync(Guid.NewGuid(), 100, default)); // a worker that dies
        await App.DbAsync(db => db.Set<CreditTopUpRow>().Where(t => t.Id == topUp.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.LeasedUntil, DateTime.UtcNow.AddSeconds(-1)))); // its lease ran out

        await ChargeAsync();
        await App.DbAsync(db => db.Set<CreditTopUpRow>().Where(t => t.Id == topUp.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, CreditTopUpStatus.Pending))); // as if this one died before recording
        await ChargeAsync();

        Assert.Equal([$"mf-top-up-{topUp.Id}-1", $"mf-top-up-{topUp.Id}-1"], ChargesOf(user).Select(c => c.IdempotencyKey));
        Assert.Single(App.Stripe.PaymentIntentRequests.Select(r => r.IdempotencyKey).Where(k => k.Contains(topUp.Id.ToString(), StringComparison.Ordinal)).Distinct());
    }

    [Fact]
    public async Task Crossing_ThenAgainBelow_ChargesOnce()
    {
        var user = await EnabledUserAsync(credits: 15);

        for (var i = 0; i < 4; i++)
        {
            await DeductAsync(user); // 12, 9 (crossed), 6, 3
        }

        await ChargeAsync();
        Assert.Single(ChargesOf(user));
    }

    private Task<List<T>> EventsAsync<T>(string wallet)
        where T : CreditEvent =>
        App.DbAsync(async db => (await db.Set<CreditEventRow>().AsNoTracking().Where(e => e.WalletId == wallet).ToListAsync())
            .Select(r => CreditEventTypes.Deserialize(r.Type, r.Payload)).OfType<T>().ToList());
}

public sealed class SqliteAutoTopUpStripeTests(SqliteCreditsDatabase database) : AutoTopUpStripeTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpStripeTests(PostgresCreditsDatabase database) : AutoTopUpStripeTests<PostgresCreditsDatabase>(database);
