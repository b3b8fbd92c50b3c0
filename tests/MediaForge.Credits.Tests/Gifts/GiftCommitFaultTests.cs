using System.Diagnostics.Metrics;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// A gift operation whose COMMIT was applied but whose acknowledgement was lost: the operation is settled by looking it
/// up, never applied again (nor counted again), and the caller's retry finds it done. One behaviour per test.
/// </summary>
public abstract class GiftCommitFaultTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly CommitFault fault = new();

    private GiftSetup Setup => field ??= new GiftSetup(database, configureContext: o => o.AddInterceptors(fault, fault.Commands),
        configureServices: s => s.AddSingleton<IMeterFactory, TestMeterFactory>());

    /// <summary>The gift credits counter (<c>mediaforge.credits.gifts</c>) of <see cref="Setup"/>, from now on.</summary>
    private MetricCollector<long> GiftCredits() =>
        new(Setup.Services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", "mediaforge.credits.gifts");

    [Fact]
    public async Task CreateGift_CommitAcknowledgementLost_RetryWithSameKeyHoldsOnce()
    {
        var sender = await Setup.FundedAsync(100);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var first = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30, message: "for you", idempotencyKey: "gift-1"));
        var retry = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30, message: "for you", idempotencyKey: "gift-1"));

        Assert.Equal(1, fault.Struck);
        Assert.Equal((true, false), (first.Success, first.IsReplay));
        Assert.Equal((true, true, first.Gift!.Id), (retry.Success, retry.IsReplay, retry.Gift!.Id));
        Assert.Equal((100L, 30L, 100L), await Setup.AccountAsync(sender));
        Assert.Single((await Setup.Gifts(g => g.GetGiftsAsync(sender))).Sent);
        var recipient = GiftSetup.NewUser("recipient");
        Assert.Equal(CreditGiftError.InvalidCode, (await Setup.Gifts(g => g.RedeemGiftAsync(first.Code, recipient))).Error);
        Assert.True((await Setup.Gifts(g => g.RedeemGiftAsync(retry.Code, recipient))).Success);
        Assert.Equal((30L, 0L, 30L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task CreateGift_CommitNeverArrived_RetryWithSameKeyHoldsOnce()
    {
        var sender = await Setup.FundedAsync(100);

        fault.Arm(CommitFaultKind.CommitNeverArrived);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.Gifts(g => g.CreateGiftAsync(sender, 30, idempotencyKey: "gift-1")));
        var retry = await Setup.Gifts(g => g.CreateGiftAsync(sender, 30, idempotencyKey: "gift-1"));

        Assert.Equal((true, false), (retry.Success, retry.IsReplay));
        Assert.Equal((100L, 30L, 100L), await Setup.AccountAsync(sender));
        Assert.Single((await Setup.Gifts(g => g.GetGiftsAsync(sender))).Sent);
    }

    [Fact]
    public async Task RedeemGift_CommitAcknowledgementLost_RetryCreditsOnce()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        var recipient = GiftSetup.NewUser("recipient");

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var redeemed = await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));
        var retry = await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));

        Assert.Equal(1, fault.Struck);
        Assert.Equal((true, 30L, recipient), (redeemed.Success, redeemed.Gift!.RedeemedAmount, redeemed.Gift.RecipientId));
        // The retry finds the code used: the one answer for every code that redeems nothing; the gift is in the recipient's list.
        Assert.Equal((false, CreditGiftError.InvalidCode), (retry.Success, retry.Error));
        Assert.Equal(created.Gift!.Id, Assert.Single((await Setup.Gifts(g => g.GetGiftsAsync(recipient))).Received).Id);
        Assert.Equal((30L, 0L, 30L), await Setup.AccountAsync(recipient));
        Assert.Equal((70L, 0L, 70L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task RedeemGift_UsedCodeAgainCommitAcknowledgementLost_ThrowsRatherThanTheEarlierSuccess()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        var recipient = GiftSetup.NewUser("recipient");
        Assert.True((await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient))).Success);

        // The second redemption writes nothing and its commit fails: its operation id is not there, so it is not settled
        // as the earlier redemption's success; the caller's retry gets the used code's answer.
        fault.Arm(CommitFaultKind.AcknowledgementLost);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient)));
        var retry = await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));

        Assert.Equal((false, CreditGiftError.InvalidCode), (retry.Success, retry.Error));
        Assert.Equal((30L, 0L, 30L), await Setup.AccountAsync(recipient));
        Assert.Equal((70L, 0L, 70L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CancelGift_AlreadyCancelledCommitAcknowledgementLost_AnswersNotPending()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        Assert.True((await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender))).Success);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var again = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        Assert.Equal(1, fault.Struck);
        Assert.Equal((false, CreditGiftError.NotPending, CreditGiftStatus.Cancelled), (again.Success, again.Error, again.Gift!.Status));
        Assert.Equal((100L, 0L, 100L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CancelGift_CommitAcknowledgementLost_AnswersCancelledAndFreesOnce()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        var cancelled = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        Assert.Equal(1, fault.Struck);
        Assert.Equal((true, CreditGiftError.None, CreditGiftStatus.Cancelled), (cancelled.Success, cancelled.Error, cancelled.Gift!.Status));
        Assert.Equal((100L, 0L, 100L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CancelGift_CommitAcknowledgementLost_CountsTheCreditsReturnedOnce()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        using var credits = GiftCredits();

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        var returned = Assert.Single(credits.GetMeasurementSnapshot());
        Assert.Equal(30, returned.Value);
        Assert.True(returned.ContainsTags(new KeyValuePair<string, object?>("credits.outcome", "returned")));
    }

    [Fact]
    public async Task CancelGift_AlreadyCancelledCommitAcknowledgementLost_CountsNothingReturned()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        Assert.True((await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender))).Success);
        using var credits = GiftCredits();

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        Assert.Equal(1, fault.Struck);
        Assert.Empty(credits.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task CancelGift_SomeoneElsesEndedGiftCommitAcknowledgementLost_ThrowsRatherThanShowTheGift_TheRetryIsNotFound()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        Assert.True((await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender))).Success);
        var stranger = GiftSetup.NewUser("stranger");

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, stranger)));
        var retry = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, stranger));

        Assert.Equal((false, CreditGiftError.NotFound, (CreditGift?)null), (retry.Success, retry.Error, retry.Gift));
    }

    [Fact]
    public async Task CancelGift_CommitAcknowledgementLost_RetryFindsItCancelledAndFreesNothingMore()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);
        var other = await Setup.Gifts(g => g.CreateGiftAsync(sender, 20));

        fault.Arm(CommitFaultKind.AcknowledgementLost);
        await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));
        var retry = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        Assert.Equal((false, CreditGiftError.NotPending, CreditGiftStatus.Cancelled), (retry.Success, retry.Error, retry.Gift!.Status));
        Assert.Equal((100L, 20L, 100L), await Setup.AccountAsync(sender));
        Assert.Equal(CreditGiftStatus.Pending, (await Setup.RowAsync(other.Gift!.Id)).Status);
    }

    [Fact]
    public async Task CancelGift_CommitNeverArrived_ThrowsAndTheRetryCancels()
    {
        var (sender, created) = await Setup.GiftAsync(100, 30);

        fault.Arm(CommitFaultKind.CommitNeverArrived);
        await Assert.ThrowsAsync<SimulatedDbException>(() => Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender)));
        Assert.Equal((100L, 30L, 100L), await Setup.AccountAsync(sender));
        var retry = await Setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender));

        Assert.True(retry.Success);
        Assert.Equal((100L, 0L, 100L), await Setup.AccountAsync(sender));
    }
}

public sealed class SqliteGiftCommitFaultTests(SqliteCreditsDatabase database) : GiftCommitFaultTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftCommitFaultTests(PostgresCreditsDatabase database) : GiftCommitFaultTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftCommitFaultTests(MariaDbCreditsDatabase database) : GiftCommitFaultTests<MariaDbCreditsDatabase>(database);
