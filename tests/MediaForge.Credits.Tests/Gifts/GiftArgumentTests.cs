using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// The edges of gifts the flows do not reach: each argument's bound and message, the switch on every operation, the
/// exact instant of a gift's expiry, and the answers that are refusals rather than successes.
/// </summary>
public abstract class GiftArgumentTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private GiftSetup Setup() => new(database, time: clock);

    private GiftSetup Off() => new(database, o => o.Gifts.Enabled = false, clock);

    [Fact]
    public async Task CreateGift_MessageOfTheMaximumLength_IsAccepted()
    {
        var (_, gift) = await Setup().GiftAsync(10, 1, new string('m', new CreditGiftOptions().MaxMessageLength));

        Assert.Equal(new CreditGiftOptions().MaxMessageLength, gift.Gift!.Message!.Length);
    }

    [Fact]
    public async Task CreateGift_MessageTooLong_ThrowsSayingHowLongAndTheLimit()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => setup.Gifts(g => g.CreateGiftAsync(sender, 1, message: new string('m', 281))));

        Assert.StartsWith("The message is 281 characters long; at most 280 are allowed.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateGift_ExpiryNotInTheFuture_ThrowsNamingIt()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        var at = clock.GetUtcNow();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => setup.Gifts(g => g.CreateGiftAsync(sender, 1, at)));

        Assert.StartsWith($"The expiry {at:O} is not in the future.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateGift_ExpiryPastTheMaximumLifetime_ThrowsNamingTheLimit()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => setup.Gifts(g => g.CreateGiftAsync(sender, 1, clock.GetUtcNow().AddDays(366))));

        Assert.StartsWith($"A gift expires at most {TimeSpan.FromDays(365)} from now.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateGift_ExpiryAtExactlyTheMaximumLifetime_IsAccepted()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        var at = clock.GetUtcNow().AddDays(365);

        var gift = await setup.Gifts(g => g.CreateGiftAsync(sender, 1, at));

        Assert.Equal((true, at), (gift.Success, gift.Gift!.ExpiresAt));
    }

    [Fact]
    public async Task CreateGift_ExpiryWithAFractionOfASecond_KeepsTheWholeSecondBeforeIt()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);

        var gift = await setup.Gifts(g => g.CreateGiftAsync(sender, 1, clock.GetUtcNow().AddDays(1).AddMilliseconds(700)));

        Assert.Equal(clock.GetUtcNow().AddDays(1).UtcDateTime, (await setup.RowAsync(gift.Gift!.Id)).ExpiresAt);
    }

    [Fact]
    public async Task RedeemGift_BlankRecipient_Throws()
    {
        var setup = Setup();
        var (_, gift) = await setup.GiftAsync(10, 4);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => setup.Gifts(g => g.RedeemGiftAsync(gift.Code, "  ")));
    }

    [Fact]
    public async Task ReissueCode_BlankSender_Throws()
    {
        var setup = Setup();
        var (_, gift) = await setup.GiftAsync(10, 4);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => setup.Gifts(g => g.ReissueCodeAsync(gift.Gift!.Id, "  ")));
    }

    [Fact]
    public async Task CancelGift_BlankSender_Throws()
    {
        var setup = Setup();
        var (_, gift) = await setup.GiftAsync(10, 4);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => setup.Gifts(g => g.CancelGiftAsync(gift.Gift!.Id, "  ")));
    }

    [Fact]
    public async Task GetGifts_BlankUser_Throws() =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Setup().Gifts(g => g.GetGiftsAsync("  ")));

    [Fact]
    public async Task RedeemGift_GiftsTurnedOff_RefusedAndTheGiftStaysPending()
    {
        var setup = Setup();
        var (_, gift) = await setup.GiftAsync(10, 4);

        var result = await Off().Gifts(g => g.RedeemGiftAsync(gift.Code, GiftSetup.NewUser("recipient")));

        Assert.Equal((false, CreditGiftError.GiftsDisabled), (result.Success, result.Error));
        Assert.Equal(CreditGiftStatus.Pending, (await setup.RowAsync(gift.Gift!.Id)).Status);
    }

    [Fact]
    public async Task CancelGift_GiftsTurnedOff_RefusedAndTheCreditsStayHeld()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);

        var result = await Off().Gifts(g => g.CancelGiftAsync(gift.Gift!.Id, sender));

        Assert.Equal((false, CreditGiftError.GiftsDisabled), (result.Success, result.Error));
        Assert.Equal((10L, 4L, 10L), await setup.AccountAsync(sender));
    }

    [Fact]
    public async Task ReissueCode_GiftsTurnedOff_RefusedAndTheOldCodeStillWorks()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);

        var result = await Off().Gifts(g => g.ReissueCodeAsync(gift.Gift!.Id, sender));

        Assert.Equal((false, CreditGiftError.GiftsDisabled, null), (result.Success, result.Error, result.Code));
        Assert.True((await setup.Gifts(g => g.RedeemGiftAsync(gift.Code, GiftSetup.NewUser("recipient")))).Success);
    }

    [Fact]
    public async Task CancelGift_UnknownGift_IsNotASuccess()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);

        var result = await setup.Gifts(g => g.CancelGiftAsync(Guid.NewGuid(), sender));

        Assert.Equal((false, CreditGiftError.NotFound), (result.Success, result.Error));
    }

    [Fact]
    public async Task ReissueCode_GiftCancelled_IsNotASuccessAndGivesNoCode()
    {
        var setup = Setup();
        var (sender, gift) = await setup.GiftAsync(10, 4);
        await setup.Gifts(g => g.CancelGiftAsync(gift.Gift!.Id, sender));

        var result = await setup.Gifts(g => g.ReissueCodeAsync(gift.Gift!.Id, sender));

        Assert.Equal((false, CreditGiftError.NotPending, null), (result.Success, result.Error, result.Code));
    }

    [Fact]
    public async Task CancelGift_AtTheExactInstantOfItsExpiry_EndsItAsExpired()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        var gift = await setup.Gifts(g => g.CreateGiftAsync(sender, 4, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(1));

        var result = await setup.Gifts(g => g.CancelGiftAsync(gift.Gift!.Id, sender));

        Assert.Equal((false, CreditGiftError.NotPending), (result.Success, result.Error));
        Assert.Equal(CreditGiftStatus.Expired, (await setup.RowAsync(gift.Gift!.Id)).Status);
        Assert.Equal((10L, 0L, 10L), await setup.AccountAsync(sender));
    }

    [Fact]
    public async Task RedeemGift_OwnGiftAtTheExactInstantOfItsExpiry_InvalidCodeNotOwnGift()
    {
        var setup = Setup();
        var sender = await setup.FundedAsync(10);
        var gift = await setup.Gifts(g => g.CreateGiftAsync(sender, 4, clock.GetUtcNow().AddHours(1)));
        clock.Advance(TimeSpan.FromHours(1));

        var result = await setup.Gifts(g => g.RedeemGiftAsync(gift.Code, sender));

        Assert.Equal((false, CreditGiftError.InvalidCode), (result.Success, result.Error));
    }
}

public sealed class SqliteGiftArgumentTests(SqliteCreditsDatabase database) : GiftArgumentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftArgumentTests(PostgresCreditsDatabase database) : GiftArgumentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftArgumentTests(MariaDbCreditsDatabase database) : GiftArgumentTests<MariaDbCreditsDatabase>(database);
