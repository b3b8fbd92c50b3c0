using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.Tests.Transfers;

/// <summary>What <see cref="ICreditService.TransferCreditsAsync"/> refuses before it writes: its arguments, its options, its provider.</summary>
public abstract class TransferArgumentTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => database.WithCreditsAsync(action);

    [Fact]
    public async Task AddCredits_TransferType_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.AddCreditsAsync(NewUser(), 5, CreditTransactionType.TransferIn, "minted?")));

        Assert.Equal("type", error.ParamName);
    }

    [Fact]
    public void Options_MaxTransferAmountOfZero_FailsAtStartUp()
    {
        var services = database.BuildServices(database.ConnectionString, o => o.Transfers.MaxTransferAmount = 0);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CreditsOptions>>().Value);

        Assert.Contains("MaxTransferAmount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransferCredits_ReservedKey_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.TransferCreditsAsync(NewUser(), NewUser(), 1, "x", "mf:purchase:cs_1")));

        Assert.Equal("idempotencyKey", error.ParamName);
    }

    [Fact]
    public async Task TransferCredits_BlankSender_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.TransferCreditsAsync(" ", NewUser(), 1, "x")));

        Assert.Equal("fromUserId", error.ParamName);
    }

    [Fact]
    public async Task TransferCredits_BlankReason_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.TransferCreditsAsync(NewUser(), NewUser(), 1, " ")));

        Assert.Equal("reason", error.ParamName);
    }

    [Fact]
    public async Task TransferCredits_ReasonOfTheMaximumLength_IsAccepted_OneMoreThrowsSayingTheLimit()
    {
        var sender = NewUser();
        await Credits(c => c.AddCreditsAsync(sender, 5, CreditTransactionType.Purchase, "grant"));

        var longest = await Credits(c => c.TransferCreditsAsync(sender, NewUser(), 1, new string('r', 500)));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.TransferCreditsAsync(sender, NewUser(), 1, new string('r', 501))));

        Assert.True(longest.Success);
        Assert.Equal("reason", error.ParamName);
        Assert.StartsWith("The reason is 501 characters long; at most 500 are allowed.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransferCredits_EmptyRecipient_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.TransferCreditsAsync(NewUser(), " ", 1, "x")));

        Assert.Equal("toUserId", error.ParamName);
    }

    [Fact]
    public async Task TransferCredits_ZeroAmount_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Credits(c => c.TransferCreditsAsync(NewUser(), NewUser(), 0, "x")));

        Assert.Equal("amount", error.ParamName);
    }

    [Fact]
    public async Task TransferCredits_ReasonOver500Characters_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Credits(c => c.TransferCreditsAsync(NewUser(), NewUser(), 1, new string('r', 501))));

        Assert.Equal("reason", error.ParamName);
    }

    [Fact]
    public async Task TransferCredits_OnInMemoryProvider_NotSupported()
    {
        await using var provider = InMemoryCredits.Services();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => database.WithCreditsAsync(c => c.TransferCreditsAsync("a", "b", 1, "x"), provider));

        Assert.Equal("Transfers need a relational EF Core provider.", error.Message);
    }
}

public sealed class SqliteTransferArgumentTests(SqliteCreditsDatabase database) : TransferArgumentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTransferArgumentTests(PostgresCreditsDatabase database) : TransferArgumentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTransferArgumentTests(MariaDbCreditsDatabase database) : TransferArgumentTests<MariaDbCreditsDatabase>(database);
