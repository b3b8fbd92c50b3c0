using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.TopUps;

/// <summary>The bounds of what a top-up's payment intent may carry: its attempt (1 to 1000) and its card's references (up to 255 characters).</summary>
public abstract class AutoTopUpStripeBoundsTests<TDatabase>(TDatabase database) : AutoTopUpAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task PaymentFailedWebhook_AttemptOutsideOneToAThousand_IsIgnoredAndCountsNothing(int attempt)
    {
        var (user, topUp) = await CrossedAsync();
        await ChargeAsync();

        var receipt = await ReceiptAsync(TopUpPayloads.Failed("pi_attempt_" + user, PackPrice, TopUpPayloads.TopUp(topUp.Id, attempt, user)));

        Assert.Equal("ignored_no_attempt", receipt.Outcome);
        Assert.Equal(0, (await SettingsAsync(user)).ConsecutiveFailures);
    }

    [Fact]
    public async Task PaymentFailedWebhook_TheThousandthAttempt_IsWithinTheBoundAndCounted()
    {
        var (user, topUp) = await CrossedAsync();
        await ChargeAsync();
        await App.DbAsync(db => db.Set<CreditTopUpRow>().Where(t => t.Id == topUp.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.FailedAttempts, 999))); // 999 attempts failed before

        var receipt = await ReceiptAsync(TopUpPayloads.Failed("pi_attempt_" + user, PackPrice, TopUpPayloads.TopUp(topUp.Id, 1000, user)));

        Assert.Equal("top_up_failed", receipt.Outcome);
        Assert.Equal(1000, Assert.Single(await TopUpsAsync(user)).FailedAttempts);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_CustomerAndCardOfTheLongestReferenceLength_SavesTheCard()
    {
        var user = NewUser();
        var (customer, card) = ("cus_" + new string('c', 251), "pm_" + new string('p', 252)); // 255 characters each

        var receipt = await ReceiptAsync(TopUpPayloads.Succeeded("pi_saved_" + user, PackPrice, "usd",
            new Dictionary<string, string> { ["save_for_wallet"] = user }, customer, card, setupFutureUsage: "off_session"));

        Assert.Equal("payment_method_saved", receipt.Outcome);
        Assert.True((await SettingsAsync(user)).HasPaymentMethod);
    }
}

public sealed class SqliteAutoTopUpStripeBoundsTests(SqliteCreditsDatabase database) : AutoTopUpStripeBoundsTests<SqliteCreditsDatabase>(database);

public sealed class PostgresAutoTopUpStripeBoundsTests(PostgresCreditsDatabase database) : AutoTopUpStripeBoundsTests<PostgresCreditsDatabase>(database);
