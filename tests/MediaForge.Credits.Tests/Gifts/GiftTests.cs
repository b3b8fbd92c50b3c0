using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>The rules of <see cref="ICreditGiftService"/> create, redeem, cancel, reissue and list, one per test, on a real database.</summary>
public abstract class GiftTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private GiftSetup Setup => field ??= new GiftSetup(database, time: clock);

    [Fact]
    public async Task CreateGift_Covered_HoldsTheCreditsAndReturnsACode()
    {
        var sender = await Setup.FundedAsync(100);

        var result = await Setup.Gifts(g => g.CreateGiftAsync(sender, 40, message: "  happy birthday  "));

        Assert.Equal((true, CreditGiftError.None, false), (result.Success, result.Error, result.IsReplay));
        Assert.Matches("^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$", result.Code);
        var gift = result.Gift!;
        Assert.Equal((sender, 40L, "happy birthday", CreditGiftStatus.Pending, clock.GetUtcNow().AddDays(30)),
            (gift.SenderId, gift.Amount, gift.Message, gift.Status, gift.ExpiresAt));
        Assert.Equal((100L, 40L, 100L), await Setup.AccountAsync(sender));
        Assert.Equal(60, (await Setup.Credits(c => c.GetBalanceAsync(sender))).Available);
    }

    [Fact]
    public async Task CreateGift_StoresOnlyTheCodesHash()
    {
        var (_, created) = await Setup.GiftAsync(100, 10);

        var row = await Setup.RowAsync(created.Gift!.Id);

        Assert.Equal(64, row.CodeHash.Length);
        Assert.DoesNotContain(created.Code!.Replace("-", "", StringComparison.Ordinal), row.CodeHash, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CreateGift_MoreThanTheSpendableCredits_RefusedAndNothingHeld()
    {
        var sender = await Setup.FundedAsync(30);
        await Setup.Gifts(g => g.CreateGiftAsync(sender, 20));

        var result = await Setup.Gifts(g => g.CreateGiftAsync(sender, 11));

        Assert.Equal((false, CreditGiftError.InsufficientCredits, null), (result.Success, result.Error, result.Gift));
        Assert.Equal((30L, 20L, 30L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CreateGift_AdminWithoutCredits_RefusedBecauseGiftsMoveRealCredits()
    {
        var admin = GiftSetup.NewUser("admin");
        await database.FlagAdminAsync(admin);

        var result = await Setup.Gifts(g => g.CreateGiftAsync(admin, 5));

        Assert.Equal(CreditGiftError.InsufficientCredits, result.Error);
    }

    [Fact]
    public async Task CreateGift_GiftsDisabled_Refused()
    {
        var setup = new GiftSetup(database, o => o.Gifts.Enabled = false, clock);
        var sender = await setup.FundedAsync(100);

        var result = await setup.Gifts(g => g.CreateGiftAsync(sender, 10));

        Assert.Equal(CreditGiftError.GiftsDisabled, result.Error);
        Assert.Equal((100L, 0L, 100L), await setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CreateGift_OverTheMaximum_Refused()
    {
        var setup = new GiftSetup(database, o => o.Gifts.MaxGiftAmount = 50, clock);
        var sender = await setup.FundedAsync(100);

        Assert.Equal(CreditGiftError.OverMaximum, (await setup.Gifts(g => g.CreateGiftAsync(sender, 51))).Error);
        Assert.True((await setup.Gifts(g => g.CreateGiftAsync(sender, 50))).Success);
    }

    [Fact]
    public async Task CreateGift_BadArguments_Throw()
    {
        var sender = await Setup.FundedAsync(100);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Setup.Gifts(g => g.CreateGiftAsync(sender, 0)));
        await Assert.ThrowsAsync<ArgumentException>(() => Setup.Gifts(g => g.CreateGiftAsync(sender, 5, message: new string('x', 281))));
        await Assert.ThrowsAsync<ArgumentException>(() => Setup.Gifts(g => g.CreateGiftAsync(sender, 5, expiresAt: clock.GetUtcNow().AddSeconds(-1))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Setup.Gifts(g => g.CreateGiftAsync(sender, 5, expiresAt: clock.GetUtcNow().AddDays(366))));
        await Assert.ThrowsAsync<ArgumentException>(() => Setup.Gifts(g => g.CreateGiftAsync(sender, 5, idempotencyKey: "mf:purchase:x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Setup.Gifts(g => g.CreateGiftAsync(new string('u', 129), 5)));
        Assert.Equal((100L, 0L, 100L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task CreateGift_SameKeySameRequest_ReplaysTheGiftWithAFreshCodeAndTheEarlierStopsWorking()
    {
        var sender = await Setup.FundedAsync(100);
        var first = await Setup.Gifts(g => g.CreateGiftAsync(sender, 25, message: "hi", idempotencyKey: "gift-1"));

        var again = await Setup.Gifts(g => g.CreateGiftAsync(sender, 25, message: "hi", idempotencyKey: "gift-1"));

        Assert.Equal((true, true, first.Gift!.Id), (again.Success, again.IsReplay, again.Gift!.Id));
        Assert.NotEqual(first.Code, again.Code);
        Assert.Equal((100L, 25L, 100L), await Setup.AccountAsync(sender));
        var recipient = GiftSetup.NewUser("recipient");
        Assert.Equal(CreditGiftError.InvalidCode, (await Setup.Gifts(g => g.RedeemGiftAsync(first.Code, recipient))).Error);
        Assert.True((await Setup.Gifts(g => g.RedeemGiftAsync(again.Code, recipient))).Success);
    }

    [Fact]
    public async Task CreateGift_SameKeyAfterRedemption_ReplaysWithoutACode()
    {
        var sender = await Setup.FundedAsync(100);
        var first = await Setup.Gifts(g => g.CreateGiftAsync(sender, 25, idempotencyKey: "gift-1"));
        await Setup.Gifts(g => g.RedeemGiftAsync(first.Code, GiftSetup.NewUser("recipient")));

        var again = await Setup.Gifts(g => g.CreateGiftAsync(sender, 25, idempotencyKey: "gift-1"));

        Assert.Equal((true, true, CreditGiftStatus.Redeemed, null), (again.Success, again.IsReplay, again.Gift!.Status, again.Code));
        Assert.Equal((75L, 0L, 75L), await Setup.AccountAsync(sender));
    }

    [Theory]
    [InlineData(26, "hi", false)]
    [InlineData(25, "hello", false)]
    [InlineData(25, "hi", true)]
    public async Task CreateGift_SameKeyOtherRequest_IsAConflict(long amount, string message, bool otherExpiry)
    {
        var sender = await Setup.FundedAsync(100);
        var expiry = clock.GetUtcNow().AddDays(3);
        await Setup.Gifts(g => g.CreateGiftAsync(sender, 25, expiry, "hi", "gift-1"));

        var again = await Setup.Gifts(g => g.CreateGiftAsync(sender, amount, otherExpiry ? expiry.AddDays(1) : expiry, message, "gift-1"));

        Assert.Equal((false, CreditGiftError.IdempotencyKeyConflict), (again.Success, again.Error));
        Assert.Equal((100L, 25L, 100L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task HeldCredits_CannotBeSpentOrTransferredBySenderMeanwhile()
    {
        var (sender, _) = await Setup.GiftAsync(20, 15);

        var deduction = await Setup.Credits(c => c.DeductCreditsAsync(sender, "video-generation", "hailuo"));
        var transfer = await Setup.Credits(c => c.TransferCreditsAsync(sender, GiftSetup.NewUser("other"), 6, "too much"));

        Assert.Equal(CreditDeductionError.InsufficientCredits, deduction.Error);
        Assert.Equal(CreditTransferError.InsufficientCredits, transfer.Error);
        Assert.Equal((20L, 15L, 20L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task RedeemGift_MovesTheCreditsOnceWithTransferRowsNamingTheGift()
    {
        var (sender, created) = await Setup.GiftAsync(100, 40);
        var recipient = GiftSetup.NewUser("recipient");

        var result = await Setup.Gifts(g => g.RedeemGiftAsync(" " + created.Code!.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal) + " ", recipient));

        var gift = result.Gift!;
        Assert.Equal((true, CreditGiftStatus.Redeemed, recipient, 40L, null), (result.Success, gift.Status, gift.RecipientId, gift.RedeemedAmount, result.Code));
        Assert.Equal(clock.GetUtcNow(), gift.SettledAt);
        Assert.Equal((60L, 0L, 60L), await Setup.AccountAsync(sender));
        Assert.Equal((40L, 0L, 40L), await Setup.AccountAsync(recipient));
        var sent = (await Setup.RowsAsync(sender)).Single(t => t.Type == CreditTransactionType.TransferOut);
        var received = Assert.Single(await Setup.RowsAsync(recipient));
        Assert.Equal((gift.Id, -40L, 60L, received.Id.ToString()), (sent.Id, sent.Amount, sent.BalanceAfter, sent.Reference));
        Assert.Equal((CreditTransactionType.TransferIn, 40L, 40L, gift.Id.ToString()), (received.Type, received.Amount, received.BalanceAfter, received.Reference));
        Assert.Contains(gift.Id.ToString(), received.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedeemGift_ExpiringCredits_KeepTheirExpiryDatesSoonestFirst()
    {
        var sender = GiftSetup.NewUser("sender");
        var (soon, later) = (clock.GetUtcNow().AddDays(10), clock.GetUtcNow().AddDays(90));
        await Setup.Credits(c => c.AddExpiringCreditsAsync(sender, 10, CreditTransactionType.Bonus, "soon", soon));
        await Setup.Credits(c => c.AddExpiringCreditsAsync(sender, 10, CreditTransactionType.Bonus, "later", later));
        await Setup.Credits(c => c.AddCreditsAsync(sender, 10, CreditTransactionType.Purchase, "forever"));
        var created = await Setup.Gifts(g => g.CreateGiftAsync(sender, 15));
        var recipient = GiftSetup.NewUser("recipient");

        await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));

        var lots = await Setup.LotsAsync(recipient);
        Assert.Equal([(10L, soon.UtcDateTime), (5L, later.UtcDateTime)], lots.Select(l => (l.Remaining, l.ExpiresAt)));
        Assert.Equal([(5L, later.UtcDateTime)], (await Setup.LotsAsync(sender)).Select(l => (l.Remaining, l.ExpiresAt)));
        Assert.Equal((15L, 0L, 15L), await Setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task RedeemGift_UnknownUsedExpiredCancelledOrMalformed_AllGiveTheSameAnswer()
    {
        var setup = new GiftSetup(database, o => o.Gifts.RedeemAttemptsPerWindow = 100, clock);
        var recipient = GiftSetup.NewUser("recipient");
        var sender = await setup.FundedAsync(100);
        var used = await setup.Gifts(g => g.CreateGiftAsync(sender, 5));
        await setup.Gifts(g => g.RedeemGiftAsync(used.Code, GiftSetup.NewUser("first")));
        var cancelled = await setup.Gifts(g => g.CreateGiftAsync(sender, 5));
        await setup.Gifts(g => g.CancelGiftAsync(cancelled.Gift!.Id, sender));
        var expiring = await setup.Gifts(g => g.CreateGiftAsync(sender, 5, clock.GetUtcNow().AddMinutes(1)));
        clock.Advance(TimeSpan.FromMinutes(2));
        var unknown = CreditGiftCodesForTests.Unknown();

        string?[] codes = [used.Code, cancelled.Code, expiring.Code, unknown, "", null, "not-a-code", new string('A', 33), new string('A', 5000)];
        var results = new List<CreditGiftResult>();
        foreach (var code in codes)
        {
            results.Add(await setup.Gifts(g => g.RedeemGiftAsync(code, recipient)));
        }

        Assert.All(results, r => Assert.Equal(new CreditGiftResult { Success = false, Error = CreditGiftError.InvalidCode }, r));
        Assert.Equal((0L, 0L, 0L), await setup.AccountAsync(recipient));
    }

    [Fact]
    public async Task RedeemGift_OwnGift_RefusedAndStillPending()
    {
        var (sender, created) = await Setup.GiftAsync(100, 10);

        var result = await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, sender));

        Assert.Equal((false, CreditGiftError.OwnGift), (result.Success, result.Error));
        Assert.Equal(CreditGiftStatus.Pending, (await Setup.RowAsync(created.Gift!.Id)).Status);
        Assert.Equal((100L, 10L, 100L), await Setup.AccountAsync(sender));
    }

    [Fact]
    public async Task RedeemGift_OverTheRateLimit_RefusedBeforeAnyLookupWithRetryAfter()
    {
        var setup = new GiftSetup(database, o => { o.Gifts.RedeemAttemptsPerWindow = 2; o.Gifts.RedeemWindow = TimeSpan.FromMinutes(10); }, clock);
        var (_, created) = await setup.GiftAsync(100, 10);
        var recipient = GiftSetup.NewUser("recipient");
        await setup.Gifts(g => g.RedeemGiftAsync("wrong", recipient));
        clock.Advance(TimeSpan.FromMinutes(4));
        await setup.Gifts(g => g.RedeemGiftAsync("wrong again", recipient));

        var limited = await setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));

        Assert.Equal((false, CreditGiftError.RateLimited, TimeSpan.FromMinutes(6)), (limited.Success, limited.Error, limited.RetryAfter));
        Assert.Equal(CreditGiftStatus.Pending, (await setup.RowAsync(created.Gift!.Id)).Status);
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient))).Success);
    }

    [Fact]
    public async Task RedeemGift_ClawbackTookHeldCredits_RecipientGetsWhatIsLeft()
    {
        var sender = await Setup.FundedAsync(50);
        var (_, payment, _) = await Setup.BuyProAsync(sender, gift: false);
        var created = await Setup.Gifts(g => g.CreateGiftAsync(sender, 220));
        await Setup.RefundAsync(payment);
        var recipient = GiftSetup.NewUser("recipient");

        var result = await Setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));

        Assert.Equal((true, 220L, 50L), (result.Success, result.Gift!.Amount, result.Gift.RedeemedAmount));
        Assert.Equal((0L, 0L, 0L), await Setup.AccountAsync(sender));
        Assert.Equal((50L, 0L, 50L), await Setup.AccountAsync(recipient));
    }
}

/// <summary>A well-formed code no gift has.</summary>
internal static class CreditGiftCodesForTests
{
    public static string Unknown() => MediaForge.Credits.Gifts.CreditGiftCodes.New().Code;
}

public sealed class SqliteGiftTests(SqliteCreditsDatabase database) : GiftTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftTests(PostgresCreditsDatabase database) : GiftTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftTests(MariaDbCreditsDatabase database) : GiftTests<MariaDbCreditsDatabase>(database);
