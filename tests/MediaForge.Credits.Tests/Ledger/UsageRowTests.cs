using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>What a charged deduction writes for the user to read: its ledger row's description and its usage log's prompt.</summary>
public abstract class UsageRowTests<TDatabase>(TDatabase database) : LedgerTestsBase<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task DeductCredits_LedgerRow_IsDescribedByTheFeatureAndTheModel()
    {
        var user = NewUser();
        await GrantAsync(user, 20);

        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "video-generation", "veo2"));

        var usage = (await WithCreditsAsync(c => c.GetTransactionsAsync(user))).Items.Single(t => t.Type == CreditTransactionType.Usage);
        Assert.Equal("video-generation (veo2)", usage.Description);
    }

    [Theory]
    [InlineData(10, "0123456789")]
    [InlineData(11, "0123456789")]
    [InlineData(9, "012345678")]
    public async Task DeductCredits_Prompt_IsLoggedCutToTheMaximumLength(int maxPromptLength, string logged)
    {
        var services = Database.BuildServices(Database.ConnectionString, o => o.MaxPromptLength = maxPromptLength);
        var user = NewUser();
        await WithCreditsAsync(c => c.AddCreditsAsync(user, 20, CreditTransactionType.Purchase, "pack"), services);

        await WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default", prompt: "0123456789"), services);

        Assert.Equal(logged, Assert.Single((await WithCreditsAsync(c => c.GetUsageAsync(user), services)).Items).Prompt);
    }
}

public sealed class SqliteUsageRowTests(SqliteCreditsDatabase database) : UsageRowTests<SqliteCreditsDatabase>(database);

public sealed class PostgresUsageRowTests(PostgresCreditsDatabase database) : UsageRowTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbUsageRowTests(MariaDbCreditsDatabase database) : UsageRowTests<MariaDbCreditsDatabase>(database);
