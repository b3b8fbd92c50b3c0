using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>
/// Hosts unit-test their own code with EF InMemory: used from one thread, the service must give the same results
/// there as on a relational database. The same script runs on both and the outcomes are compared.
/// </summary>
public sealed class InMemoryProviderTests(SqliteCreditsDatabase sqlite) : IClassFixture<SqliteCreditsDatabase>
{
    private static async Task<List<string>> RunScriptAsync(IServiceProvider services)
    {
        var outcomes = new List<string>();
        await using var scope = services.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        void Record(object value) => outcomes.Add(value.ToString()!);

        Record((await credits.AddCreditsAsync("u1", 20, CreditTransactionType.Bonus, "Welcome", idempotencyKey: "signup")) with { TransactionId = Guid.Empty });
        Record((await credits.AddCreditsAsync("u1", 20, CreditTransactionType.Bonus, "Welcome", idempotencyKey: "signup")) with { TransactionId = Guid.Empty });
        Record(await credits.CheckCreditsAsync("u1", "video-generation", "veo2"));
        Record((await credits.DeductCreditsAsync("u1", "video-generation", "veo2", idempotencyKey: "job1")) with { TransactionId = null, UsageLogId = null });
        Record((await credits.DeductCreditsAsync("u1", "video-generation", "veo2", idempotencyKey: "job1")) with { TransactionId = null, UsageLogId = null });
        Record((await credits.DeductCreditsAsync("u1", "video-generation", "veo2")) with { TransactionId = null, UsageLogId = null });
        Record((await credits.DeductCreditsAsync("u1", "image-generation", "default")) with { TransactionId = null, UsageLogId = null });
        Record(await credits.GetBalanceAsync("u1"));
        Record((await credits.DeductCreditsAsync("u2", "image-generation", "default")) with { TransactionId = null, UsageLogId = null });
        Record(await credits.GetBalanceAsync("never-seen"));
        Record((await credits.GetTransactionsAsync("u1")).Items.Select(t => $"{t.Amount}:{t.BalanceAfter}:{t.Type}").Aggregate((a, b) => a + "|" + b));
        Record((await credits.GetUsageAsync("u1")).TotalCount);
        return outcomes;
    }

    [Fact]
    public async Task InMemoryProvider_SingleThreaded_GivesTheSameResultsAsSqlite()
    {
        await using var inMemoryServices = InMemoryServices();
        await inMemoryServices.InitializeCreditsAsync(createSchema: true);
        var relational = sqlite.BuildServices(await sqlite.CreateDatabaseAsync());
        await relational.InitializeCreditsAsync(createSchema: true);

        var expected = await RunScriptAsync(relational);
        var actual = await RunScriptAsync(inMemoryServices);

        Assert.Equal(expected, actual);
        Assert.Equal("-3:2:Usage|-15:5:Usage|20:20:Bonus", expected[^2]);
    }

    [Fact]
    public async Task ExpireCredits_OnAProviderWithoutSql_ExpiresNothing()
    {
        await using var services = InMemoryServices();
        await services.InitializeCreditsAsync(createSchema: true);
        await using var scope = services.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        await credits.AddCreditsAsync("u1", 20, CreditTransactionType.Bonus, "Welcome");

        Assert.Equal(0, await credits.ExpireCreditsAsync());
        Assert.Equal(20, (await credits.GetBalanceAsync("u1")).Balance);
    }

    [Fact]
    public async Task AddExpiringCredits_OnAProviderWithoutSql_IsNotSupported()
    {
        await using var services = InMemoryServices();
        await services.InitializeCreditsAsync(createSchema: true);
        await using var scope = services.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();

        var error = await Assert.ThrowsAsync<NotSupportedException>(
            () => credits.AddExpiringCreditsAsync("u1", 20, CreditTransactionType.Bonus, "promo", DateTimeOffset.UtcNow.AddDays(1)));
        Assert.Contains("relational", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider InMemoryServices() => InMemoryCredits.Services();
}
