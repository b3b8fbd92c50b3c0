using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>The ledger's behaviour, run against each real database (see the subclasses at the end of the file).</summary>
public abstract class CreditServiceTests<TDatabase>(TDatabase database) : LedgerTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task DeductCredits_ThousandConcurrentDeductionsAgainstBalanceForFiveHundred_ExactlyFiveHundredSucceed()
    {
        var user = NewUser();
        await GrantAsync(user, 1500);

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() =>
            WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default")))));

        Assert.Equal(500, results.Count(r => r.Success));
        Assert.Equal(500, results.Count(r => r.Error == CreditDeductionError.InsufficientCredits));
        Assert.All(results.Where(r => r.Success), r => Assert.Equal(3, r.CreditsDeducted));
        Assert.Equal(500, results.Where(r => r.Success).Select(r => r.RemainingBalance).Distinct().Count());
        await AssertLedgerMatchesBalanceAsync(user, 0);
        Assert.Equal(500, await Database.CountUsageAsync(user));
    }

    [Fact]
    public async Task DeductCredits_FiftyConcurrentCallsWithOneIdempotencyKey_OneLedgerRowAndOneCharge()
    {
        var user = NewUser();
        await GrantAsync(user, 100);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() =>
            WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "hailuo", idempotencyKey: "job-42")))));

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Single(results, r => !r.IsReplay);
        Assert.Single(results.Select(r => r.TransactionId).Distinct());
        Assert.All(results, r => Assert.Equal(92, r.RemainingBalance));
        var (balance, sum, rows) = await Database.ReadLedgerAsync(user);
        Assert.Equal((92, 92, 2), (balance, sum, rows));
        Assert.Equal(1, await Database.CountUsageAsync(user));
    }

    [Fact]
    public async Task DeductCredits_RetriedWithSameKey_ReturnsOriginalOutcomeAsReplay()
    {
        var user = NewUser();
        await GrantAsync(user, 20);

        var first = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "k1"));
        var retry = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2", idempotencyKey: "k1"));

        Assert.False(first.IsReplay);
        Assert.True(retry.IsReplay);
        Assert.Equal(first with { IsReplay = true }, retry);
        await AssertLedgerMatchesBalanceAsync(user, 5);
    }

    [Fact]
    public async Task DeductCredits_KeyReusedForAnotherFeature_IsConflictAndMovesNothing()
    {
        var user = NewUser();
        await GrantAsync(user, 20);
        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "map-animation", "hailuo", idempotencyKey: "k1"));

        var reused = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "map-animation", "veo2", idempotencyKey: "k1"));

        Assert.False(reused.Success);
        Assert.Equal(CreditDeductionError.IdempotencyKeyConflict, reused.Error);
        await AssertLedgerMatchesBalanceAsync(user, 15);
    }

    [Fact]
    public async Task DeductCredits_NotEnoughCredits_ReturnsInsufficientAndWritesNothing()
    {
        var user = NewUser();
        await GrantAsync(user, 14);

        var result = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        Assert.False(result.Success);
        Assert.Equal(CreditDeductionError.InsufficientCredits, result.Error);
        Assert.Equal(0, result.CreditsDeducted);
        Assert.Equal(14, result.RemainingBalance);
        Assert.Null(result.TransactionId);
        var (_, _, rows) = await Database.ReadLedgerAsync(user);
        Assert.Equal(1, rows);
        Assert.Equal(0, await Database.CountUsageAsync(user));
    }

    [Fact]
    public async Task DeductCredits_UserWithoutAccount_ReturnsInsufficientCredits()
    {
        var result = await WithCreditsAsync(c => c.DeductCreditsAsync(NewUser(), "image-generation", "default"));

        Assert.Equal(CreditDeductionError.InsufficientCredits, result.Error);
        Assert.Equal(0, result.RemainingBalance);
    }

    [Fact]
    public async Task DeductCredits_ExactBalance_LeavesZero()
    {
        var user = NewUser();
        await GrantAsync(user, 8);

        var result = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "hailuo"));

        Assert.True(result.Success);
        Assert.Equal(0, result.RemainingBalance);
        await AssertLedgerMatchesBalanceAsync(user, 0);
    }

    [Fact]
    public async Task DeductCredits_ConfiguredAdmin_DeductsNothingAndLogsUsage()
    {
        var admin = NewUser();
        var services = Database.BuildServices(Database.ConnectionString, o => o.AdminUserIds.Add(admin));

        var result = await WithCreditsAsync(c => c.DeductCreditsAsync(admin, "video-generation", "veo2", prompt: "a fox"), services);
        var balance = await WithCreditsAsync(c => c.GetBalanceAsync(admin), services);

        Assert.True(result.Success);
        Assert.Equal(0, result.CreditsDeducted);
        Assert.Null(result.TransactionId);
        Assert.True(balance.IsUnlimited);
        Assert.Equal(1, await Database.CountUsageAsync(admin));
        await AssertLedgerMatchesBalanceAsync(admin, 0);
    }

    [Fact]
    public async Task DeductCredits_UserFlaggedAdminInDatabase_DeductsNothingEvenWithBalance()
    {
        var admin = NewUser();
        await Database.FlagAdminAsync(admin);
        await GrantAsync(admin, 30);

        var result = await WithCreditsAsync(c => c.DeductCreditsAsync(admin, "video-generation", "veo2"));
        var check = await WithCreditsAsync(c => c.CheckCreditsAsync(admin, "video-generation", "veo2"));

        Assert.True(result.Success);
        Assert.Equal(0, result.CreditsDeducted);
        Assert.Equal(30, result.RemainingBalance);
        Assert.True(check.IsUnlimited);
        await AssertLedgerMatchesBalanceAsync(admin, 30);
        Assert.Equal(1, await Database.CountUsageAsync(admin));
    }

    [Fact]
    public async Task DeductCredits_FeatureAndModelInAnyCase_UseTheSamePrice()
    {
        var user = NewUser();
        await GrantAsync(user, 100);

        var result = await WithCreditsAsync(c => c.DeductCreditsAsync(user, "Video-Generation", "VEO2"));

        Assert.Equal(15, result.CreditsDeducted);
        var usage = await WithCreditsAsync(c => c.GetUsageAsync(user));
        Assert.Equal(("video-generation", "veo2"), (usage.Items[0].Feature, usage.Items[0].Model));
    }

    [Fact]
    public async Task GetPurchases_ListsOnlyTheUsersOwnPurchases()
    {
        var (user, other) = (NewUser(), NewUser());
        await using var scope = Database.Services.CreateAsyncScope();
        var purchases = scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>();
        var own = await purchases.StartPurchaseAsync(user, "pro", "stripe");
        await purchases.StartPurchaseAsync(other, "pro", "stripe");

        var listed = await WithCreditsAsync(c => c.GetPurchasesAsync(user));

        Assert.Equal([own.Id], listed.Items.Select(p => p.Id));
    }

    [Fact]
    public async Task DeductCredits_MetadataAnonymousObject_StoredAsJson()
    {
        var user = NewUser();
        await GrantAsync(user, 100);

        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "hailuo", prompt: "User prompt text",
            metadata: new { duration = 30, quality = "high" }));

        var usage = (await WithCreditsAsync(c => c.GetUsageAsync(user))).Items.Single();
        Assert.Equal("""{"duration":30,"quality":"high"}""", usage.Metadata);
        Assert.Equal("User prompt text", usage.Prompt);
        var charge = (await WithCreditsAsync(c => c.GetTransactionsAsync(user))).Items[0];
        Assert.Equal(usage.Metadata, charge.Metadata);
        Assert.Equal(usage.TransactionId, charge.Id);
    }

    [Theory]
    [InlineData("no-such-feature", "hailuo", "no-such-feature")]
    [InlineData("video-generation", "no-such-model", "no-such-model")]
    public async Task DeductCredits_UnknownFeatureOrModel_ThrowsNamingIt(string feature, string model, string named)
    {
        var error = await Assert.ThrowsAsync<UnknownFeaturePricingException>(() =>
            WithCreditsAsync(c => c.DeductCreditsAsync(NewUser(), feature, model)));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Equal("unknown_feature_pricing", error.ErrorCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task DeductCredits_EmptyUserId_ThrowsArgumentExceptionNamingUserId(string userId)
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            WithCreditsAsync(c => c.DeductCreditsAsync(userId, "image-generation", "default")));

        Assert.Equal("userId", error.ParamName);
    }

    [Fact]
    public async Task CheckCredits_ReportsPriceAndAvailableCredits()
    {
        var user = NewUser();
        await GrantAsync(user, 10);

        var enough = await WithCreditsAsync(c => c.CheckCreditsAsync(user, "map-animation", "veo2"));
        var notEnough = await WithCreditsAsync(c => c.CheckCreditsAsync(user, "video-generation", "veo2"));

        Assert.Equal(new CreditCheckResult { HasCredits = true, Required = 10, Available = 10, IsUnlimited = false }, enough);
        Assert.Equal(new CreditCheckResult { HasCredits = false, Required = 15, Available = 10, IsUnlimited = false, Error = CreditDeductionError.InsufficientCredits }, notEnough);
    }

    [Fact]
    public async Task GetBalance_UnknownUser_IsZero()
    {
        var balance = await WithCreditsAsync(c => c.GetBalanceAsync("user_nobody"));

        Assert.Equal(0, balance.Balance);
        Assert.False(balance.IsUnlimited);
    }

    [Fact]
    public async Task GetTransactions_PagesNewestFirstWithTotal()
    {
        var user = NewUser();
        for (var i = 1; i <= 5; i++)
        {
            await GrantAsync(user, i);
        }

        var page1 = await WithCreditsAsync(c => c.GetTransactionsAsync(user, page: 1, pageSize: 2));
        var page3 = await WithCreditsAsync(c => c.GetTransactionsAsync(user, page: 3, pageSize: 2));

        Assert.Equal(5, page1.TotalCount);
        Assert.Equal([5L, 4L], page1.Items.Select(t => t.Amount));
        Assert.Equal([15L, 10L], page1.Items.Select(t => t.BalanceAfter));
        Assert.Equal([1L], page3.Items.Select(t => t.Amount));
    }

    [Fact]
    public async Task GetTransactions_RowsOfOneInstant_ComeInDescendingIdOrder()
    {
        var services = Database.BuildServices(Database.ConnectionString, time: new FakeTimeProvider(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero)));
        var user = NewUser();
        for (var i = 1; i <= 6; i++)
        {
            await WithCreditsAsync(c => c.AddCreditsAsync(user, i, CreditTransactionType.Purchase, "pack"), services);
        }

        var ids = (await WithCreditsAsync(c => c.GetTransactionsAsync(user), services)).Items.Select(t => t.Id).ToList();

        Assert.Equal(6, ids.Count);
        Assert.Equal(ids.OrderByDescending(id => id.ToString("N"), StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task Ledger_AfterMixedSequence_BalanceEqualsLedgerSum()
    {
        var user = NewUser();
        await GrantAsync(user, 40);
        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        await WithCreditsAsync(c => c.AddCreditsAsync(user, 3, CreditTransactionType.Refund, "job failed"));
        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));
        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        await AssertLedgerMatchesBalanceAsync(user, 40 - 15 + 3 - 15 - 3);
    }
}

public sealed class SqliteCreditServiceTests(SqliteCreditsDatabase database) : CreditServiceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditServiceTests(PostgresCreditsDatabase database) : CreditServiceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCreditServiceTests(MariaDbCreditsDatabase database) : CreditServiceTests<MariaDbCreditsDatabase>(database);
