using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// Programming errors are refused before anything is written, with an <see cref="ArgumentException"/> naming the bad
/// argument; the values at the bounds are accepted.
/// </summary>
public abstract class ArgumentValidationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n")]
    public async Task Credits_EmptyOrWhitespaceUserId_IsRefused(string user)
    {
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default")))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus")))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.GetBalanceAsync(user)))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.GetTransactionsAsync(user)))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.GetUsageAsync(user)))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.GetPurchasesAsync(user)))).ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task CheckCredits_EmptyOrWhitespaceUserId_IsRefusedForEitherWallet(string user)
    {
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.CheckCreditsAsync(user, "image-generation", "default")))).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAnyAsync<ArgumentException>(
            () => database.WithCreditsAsync(c => c.CheckCreditsAsync(user, "image-generation", "default", wallet: CreditWallet.Team("studio"))))).ParamName);
    }

    [Fact]
    public async Task Credits_UserIdOfTheMaximumLength_IsAccepted()
    {
        var user = new string('u', CreditLimits.MaxUserIdLength - 32) + Guid.NewGuid().ToString("N");

        var grant = await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus"));

        Assert.Equal(5, grant.Balance);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    public async Task DeductCredits_EmptyOrWhitespaceKey_IsRefused_AndChargesNothing(string key)
    {
        var user = await UserWithAsync(20);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: key)));

        Assert.Equal("idempotencyKey", error.ParamName);
        Assert.Equal((20L, 20L, 1), await database.ReadLedgerAsync(user));
    }

    [Fact]
    public async Task DeductCredits_KeyLongerThanTheMaximum_IsRefused_AndTheMaximumIsAccepted()
    {
        var user = await UserWithAsync(20);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c =>
            c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: new string('k', CreditLimits.MaxIdempotencyKeyLength + 1))));
        var atTheMaximum = await database.WithCreditsAsync(c =>
            c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: new string('k', CreditLimits.MaxIdempotencyKeyLength)));

        Assert.Equal("idempotencyKey", error.ParamName);
        Assert.Equal((true, 17L), (atTheMaximum.Success, atTheMaximum.RemainingBalance));
    }

    [Theory]
    [InlineData(0, 50, "page")]
    [InlineData(-1, 50, "page")]
    [InlineData(1, 0, "pageSize")]
    [InlineData(1, -5, "pageSize")]
    [InlineData(1, CreditLimits.MaxPageSize + 1, "pageSize")]
    public async Task GetHistory_PageOrPageSizeOutOfRange_IsRefusedNamingIt(int page, int pageSize, string parameter)
    {
        var user = await UserWithAsync(5);

        Assert.Equal(parameter, (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.GetTransactionsAsync(user, page, pageSize)))).ParamName);
        Assert.Equal(parameter, (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.GetUsageAsync(user, page, pageSize)))).ParamName);
        Assert.Equal(parameter, (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.GetPurchasesAsync(user, page, pageSize)))).ParamName);
    }

    [Fact]
    public async Task GetHistory_TheFirstPageOfTheLargestSize_IsAccepted()
    {
        var user = await UserWithAsync(5);

        var page = await database.WithCreditsAsync(c => c.GetTransactionsAsync(user, 1, CreditLimits.MaxPageSize));

        Assert.Equal((1, 1L), (page.Items.Count, page.TotalCount));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task AddCredits_ZeroOrNegativeAmount_IsRefusedNamingIt(long amount)
    {
        var user = await UserWithAsync(5);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.WithCreditsAsync(c => c.AddCreditsAsync(user, amount, CreditTransactionType.Bonus, "bonus")));

        Assert.Equal("amount", error.ParamName);
        Assert.Equal((5L, 5L, 1), await database.ReadLedgerAsync(user));
    }

    [Theory]
    [InlineData(" ", "default", "feature")]
    [InlineData("image-generation", "\t", "model")]
    public async Task DeductCredits_WhitespaceFeatureOrModel_IsRefusedNamingIt(string feature, string model, string parameter)
    {
        var user = await UserWithAsync(5);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, feature, model)));

        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public async Task DeductCredits_FeatureNameOfTheMaximumLength_IsLookedUp_NotRefusedForItsLength()
    {
        var user = await UserWithAsync(5);

        await Assert.ThrowsAsync<UnknownFeaturePricingException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, new string('f', CreditLimits.MaxNameLength), "default")));
    }

    [Fact]
    public async Task Credits_OverLongArguments_SayHowLongTheyAreAndTheMaximum()
    {
        var user = await UserWithAsync(5);

        var longUser = await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.GetBalanceAsync(new string('u', 129))));
        var longName = await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, new string('f', 65), "default")));
        var longKey = await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: new string('k', 201))));
        var reserved = await Assert.ThrowsAnyAsync<ArgumentException>(() => database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: "mf:x")));

        Assert.Contains("129 characters long; at most 128", longUser.Message, StringComparison.Ordinal);
        Assert.Contains("65 characters long; at most 64", longName.Message, StringComparison.Ordinal);
        Assert.Contains("201 characters long; at most 200", longKey.Message, StringComparison.Ordinal);
        Assert.Contains("'mf:'", reserved.Message, StringComparison.Ordinal);
    }

    private async Task<string> UserWithAsync(long credits)
    {
        var user = "args_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "credits"));
        return user;
    }
}

public sealed class SqliteArgumentValidationTests(SqliteCreditsDatabase database) : ArgumentValidationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresArgumentValidationTests(PostgresCreditsDatabase database) : ArgumentValidationTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbArgumentValidationTests(MariaDbCreditsDatabase database) : ArgumentValidationTests<MariaDbCreditsDatabase>(database);
