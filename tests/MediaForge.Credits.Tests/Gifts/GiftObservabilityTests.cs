using System.Diagnostics.Metrics;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>What gifts tell the host's logs and metrics: each outcome with its credits, and each refusal by its reason.</summary>
public abstract class GiftObservabilityTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeLogCollector logs = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private GiftSetup Setup(Action<CreditsOptions>? configure = null) => new(database, configure, clock, configureServices: s =>
    {
        s.AddSingleton<IMeterFactory, TestMeterFactory>();
        s.AddLogsTo(logs);
    });

    private static MetricCollector<long> Credits(GiftSetup setup) =>
        new(setup.Services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", "mediaforge.credits.gifts");

    private static MetricCollector<long> Refusals(GiftSetup setup) =>
        new(setup.Services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", "mediaforge.credits.gifts.refused");

    private static void AssertCounted(MetricCollector<long> credits, string outcome, long amount)
    {
        var measurement = Assert.Single(credits.GetMeasurementSnapshot());
        Assert.Equal(amount, measurement.Value);
        Assert.True(measurement.ContainsTags(new KeyValuePair<string, object?>("credits.outcome", outcome)));
    }

    private static void AssertRefusedAs(MetricCollector<long> refusals, string reason) =>
        Assert.True(Assert.Single(refusals.GetMeasurementSnapshot()).ContainsTags(new KeyValuePair<string, object?>("credits.reason", reason)));

    private string Logged(int eventId) => Assert.Single(logs.GetSnapshot(), r => r.Id.Id == eventId).Message;

    [Fact]
    public async Task CreateGift_Held_LogsTheGiftAndCountsTheCreditsHeld()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        using var credits = Credits(setup);

        var gift = await setup.Gifts(g => g.CreateGiftAsync(sender, 4));

        Assert.Equal($"Gift {gift.Gift!.Id} of 4 credits from {sender} created (replay False)", Logged(1601));
        AssertCounted(credits, "held", 4);
    }

    [Fact]
    public async Task CreateGift_Replay_LogsTheReplayAndCountsNoCreditsAgain()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        var gift = await setup.Gifts(g => g.CreateGiftAsync(sender, 4, idempotencyKey: "gift-1"));
        logs.Clear();
        using var credits = Credits(setup);

        await setup.Gifts(g => g.CreateGiftAsync(sender, 4, idempotencyKey: "gift-1"));

        Assert.Equal($"Gift {gift.Gift!.Id} of 4 credits from {sender} created (replay True)", Logged(1601));
        Assert.Empty(credits.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task RedeemGift_Redeemed_LogsBothUsersAndCountsTheCreditsMoved()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);
        var recipient = GiftSetup.NewUser("recipient");
        using var credits = Credits(setup);

        await setup.Gifts(g => g.RedeemGiftAsync(gift.Code, recipient));

        Assert.Equal($"Gift {gift.Gift!.Id} from {sender} redeemed by {recipient}: 4 of 4 credits moved", Logged(1602));
        AssertCounted(credits, "redeemed", 4);
    }

    [Fact]
    public async Task ReissueCode_Reissued_LogsThatTheEarlierCodeNoLongerWorks()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);

        await setup.Gifts(g => g.ReissueCodeAsync(gift.Gift!.Id, sender));

        Assert.Equal($"Gift {gift.Gift!.Id} of {sender}: a new code was issued; the earlier one no longer works", Logged(1605));
    }

    [Fact]
    public async Task CancelGift_Cancelled_LogsAndCountsTheCreditsReturnedAndNoRefusal()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);
        using var credits = Credits(setup);
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.CancelGiftAsync(gift.Gift!.Id, sender));

        Assert.Equal($"Gift {gift.Gift!.Id} of {sender} Cancelled; 4 held credits are the sender's again", Logged(1603));
        AssertCounted(credits, "returned", 4);
        Assert.Empty(refusals.GetMeasurementSnapshot());
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 1604);
    }

    [Fact]
    public async Task ExpireGifts_Lapsed_LogsAndCountsTheCreditsReturned()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        var gift = await setup.Gifts(g => g.CreateGiftAsync(sender, 4, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(2));
        using var credits = Credits(setup);

        await setup.Gifts(g => g.ExpireGiftsAsync());

        Assert.Equal($"Gift {gift.Gift!.Id} of {sender} Expired; 4 held credits are the sender's again", Logged(1603));
        AssertCounted(credits, "returned", 4);
    }

    [Fact]
    public async Task Refund_BoughtGiftStillPending_LogsItRevoked()
    {
        var setup = Setup();
        var buyer = GiftSetup.NewUser("buyer");
        var (_, payment, bought) = await setup.BuyProAsync(buyer, gift: true);

        await setup.RefundAsync(payment);

        Assert.Equal($"Gift {bought.GiftId} of {buyer} Revoked; 200 held credits are the sender's again", Logged(1603));
    }

    [Fact]
    public async Task CreateGift_GiftsOff_LogsAndCountsTheRefusalAsGiftsDisabled()
    {
        var setup = Setup(o => o.Gifts.Enabled = false);
        var sender = GiftSetup.NewUser();
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.CreateGiftAsync(sender, 4));

        Assert.Equal($"Gift operation of {sender} refused: GiftsDisabled", Logged(1604));
        AssertRefusedAs(refusals, "gifts_disabled");
    }

    [Fact]
    public async Task CreateGift_OverTheMaximum_CountedAsOverMaximum()
    {
        var setup = Setup(o => o.Gifts.MaxGiftAmount = 3);
        var sender = await setup.FundedAsync(10);
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.CreateGiftAsync(sender, 4));

        AssertRefusedAs(refusals, "over_maximum");
    }

    [Fact]
    public async Task CreateGift_KeyUsedForAnotherGift_CountedAsIdempotencyKeyConflict()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        await setup.Gifts(g => g.CreateGiftAsync(sender, 4, idempotencyKey: "gift-k"));
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.CreateGiftAsync(sender, 5, idempotencyKey: "gift-k"));

        AssertRefusedAs(refusals, "idempotency_key_conflict");
    }

    [Fact]
    public async Task RedeemGift_MalformedCode_CountedAsInvalidCode()
    {
        var setup = Setup();
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.RedeemGiftAsync("not-a-code", GiftSetup.NewUser("recipient")));

        AssertRefusedAs(refusals, "invalid_code");
    }

    [Fact]
    public async Task RedeemGift_OwnGift_CountedAsOwnGift()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.RedeemGiftAsync(gift.Code, sender));

        AssertRefusedAs(refusals, "own_gift");
    }

    [Fact]
    public async Task RedeemGift_OverTheAttemptLimit_CountedAsRateLimited()
    {
        var setup = Setup(o => o.Gifts.RedeemAttemptsPerWindow = 1);
        var recipient = GiftSetup.NewUser("recipient");
        await setup.Gifts(g => g.RedeemGiftAsync("not-a-code", recipient));
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.RedeemGiftAsync("not-a-code", recipient));

        AssertRefusedAs(refusals, "rate_limited");
    }

    [Fact]
    public async Task CancelGift_UnknownGift_CountedAsNotFound()
    {
        var setup = Setup();
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.CancelGiftAsync(Guid.NewGuid(), GiftSetup.NewUser()));

        AssertRefusedAs(refusals, "not_found");
    }

    [Fact]
    public async Task CancelGift_AlreadyCancelled_CountedAsNotPendingWithNothingReturned()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);
        await setup.Gifts(g => g.CancelGiftAsync(gift.Gift!.Id, sender));
        using var refusals = Refusals(setup);
        using var credits = Credits(setup);

        await setup.Gifts(g => g.CancelGiftAsync(gift.Gift!.Id, sender));

        AssertRefusedAs(refusals, "not_pending");
        Assert.Empty(credits.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task CreateGift_MoreThanTheSenderCanSpend_CountedAsInsufficientCredits()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(3);
        using var refusals = Refusals(setup);

        await setup.Gifts(g => g.CreateGiftAsync(sender, 4));

        AssertRefusedAs(refusals, "insufficient_credits");
    }
}

public sealed class SqliteGiftObservabilityTests(SqliteCreditsDatabase database) : GiftObservabilityTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftObservabilityTests(PostgresCreditsDatabase database) : GiftObservabilityTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftObservabilityTests(MariaDbCreditsDatabase database) : GiftObservabilityTests<MariaDbCreditsDatabase>(database);
