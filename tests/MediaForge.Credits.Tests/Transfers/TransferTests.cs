using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.Tests.Transfers;

/// <summary>The rules of <see cref="ICreditService.TransferCreditsAsync"/>, one per test, on a real database.</summary>
public abstract class TransferTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action, IServiceProvider? services = null) => database.WithCreditsAsync(action, services);

    private async Task<string> SenderWithAsync(long credits)
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "pack"));
        return user;
    }

    private async Task AssertUnchangedAsync(string sender, long balance, string recipient)
    {
        Assert.Equal((balance, balance, 1), await database.ReadLedgerAsync(sender));
        Assert.Equal((0L, 0L, 0), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_Covered_MovesTheCreditsWithTwoRowsReferencingEachOther()
    {
        var (sender, recipient) = (await SenderWithAsync(20), NewUser());

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 15, "thanks for the render"));

        Assert.Equal((true, CreditTransferError.None, 5L, 15L, false), (result.Success, result.Error, result.SenderBalance, result.RecipientBalance, result.IsReplay));
        var sent = (await Credits(c => c.GetTransactionsAsync(sender))).Items[0];
        var received = Assert.Single((await Credits(c => c.GetTransactionsAsync(recipient))).Items);
        Assert.Equal((result.TransferOutId, CreditTransactionType.TransferOut, -15L, "thanks for the render", received.Id.ToString()),
            ((Guid?)sent.Id, sent.Type, sent.Amount, sent.Description, sent.Reference));
        Assert.Equal((result.TransferInId, CreditTransactionType.TransferIn, 15L, "thanks for the render", sent.Id.ToString()),
            ((Guid?)received.Id, received.Type, received.Amount, received.Description, received.Reference));
        Assert.Equal((5L, 5L, 2), await database.ReadLedgerAsync(sender));
        Assert.Equal((15L, 15L, 1), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_MoreThanTheBalance_RefusedAndNothingWritten()
    {
        var (sender, recipient) = (await SenderWithAsync(10), NewUser());

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 11, "too much"));

        Assert.Equal((false, CreditTransferError.InsufficientCredits, 10L), (result.Success, result.Error, result.SenderBalance));
        await AssertUnchangedAsync(sender, 10, recipient);
    }

    [Fact]
    public async Task TransferCredits_HeldCreditsWouldBeNeeded_Refused()
    {
        var (sender, recipient) = (await SenderWithAsync(20), NewUser());
        await using (var scope = database.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<ICreditReservationService>().ReserveCreditsAsync(sender, "video-generation", "veo2")).Success);
        }

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 6, "more than the 5 not held"));

        Assert.Equal(CreditTransferError.InsufficientCredits, result.Error);
        await AssertUnchangedAsync(sender, 20, recipient);
    }

    [Theory]
    [InlineData("a_", "z_")]
    [InlineData("z_", "a_")]
    public async Task TransferCredits_SenderWithoutAccount_RefusedWhicheverIdSortsFirst(string senderPrefix, string recipientPrefix)
    {
        var (sender, recipient) = (senderPrefix + NewUser(), recipientPrefix + NewUser());

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 1, "nothing there"));

        Assert.Equal((false, CreditTransferError.InsufficientCredits), (result.Success, result.Error));
        Assert.Equal((0L, 0L, 0), await database.ReadLedgerAsync(recipient));
    }

    [Theory]
    [InlineData("a_", "z_")]
    [InlineData("z_", "a_")]
    public async Task TransferCredits_ToANewRecipient_MovesTheCreditsWhicheverIdSortsFirst(string senderPrefix, string recipientPrefix)
    {
        var (sender, recipient) = (senderPrefix + NewUser(), recipientPrefix + NewUser());
        await Credits(c => c.AddCreditsAsync(sender, 20, CreditTransactionType.Purchase, "pack"));

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 15, "welcome"));

        Assert.True(result.Success);
        Assert.Equal((15L, 15L, 1), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_UnlimitedAdminWithoutCredits_RefusedSoNoCreditIsMinted()
    {
        var (admin, recipient) = (NewUser(), NewUser());
        await database.FlagAdminAsync(admin);

        var result = await Credits(c => c.TransferCreditsAsync(admin, recipient, 100, "free credits?"));

        Assert.Equal(CreditTransferError.InsufficientCredits, result.Error);
        Assert.Equal((0L, 0L, 0), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_UnlimitedAdminWithCredits_IsChargedForReal()
    {
        var (admin, recipient) = (NewUser(), NewUser());
        await database.FlagAdminAsync(admin);
        await Credits(c => c.AddCreditsAsync(admin, 30, CreditTransactionType.Bonus, "admin's own"));

        var result = await Credits(c => c.TransferCreditsAsync(admin, recipient, 25, "from the admin"));

        Assert.True(result.Success);
        Assert.Equal((5L, 5L, 2), await database.ReadLedgerAsync(admin));
        Assert.Equal((25L, 25L, 1), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_AdminByOptions_IsChargedForReal()
    {
        var (admin, recipient) = (NewUser(), NewUser());
        var services = database.BuildServices(database.ConnectionString, o => o.AdminUserIds.Add(admin));
        await Credits(c => c.AddCreditsAsync(admin, 10, CreditTransactionType.Bonus, "admin's own"), services);

        var refused = await Credits(c => c.TransferCreditsAsync(admin, recipient, 11, "more than the admin has"), services);

        Assert.Equal(CreditTransferError.InsufficientCredits, refused.Error);
        Assert.Equal((10L, 10L, 1), await database.ReadLedgerAsync(admin));
    }

    [Fact]
    public async Task TransferCredits_Disabled_RefusedAndNothingWritten()
    {
        var (sender, recipient) = (await SenderWithAsync(10), NewUser());
        var services = database.BuildServices(database.ConnectionString, o => o.Transfers.Enabled = false);

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 5, "off"), services);

        Assert.Equal((false, CreditTransferError.TransfersDisabled), (result.Success, result.Error));
        await AssertUnchangedAsync(sender, 10, recipient);
    }

    [Fact]
    public async Task TransferCredits_OverTheMaximum_RefusedAndNothingWritten()
    {
        var (sender, recipient) = (await SenderWithAsync(100), NewUser());
        var services = database.BuildServices(database.ConnectionString, o => o.Transfers.MaxTransferAmount = 50);

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 51, "over"), services);

        Assert.Equal((false, CreditTransferError.OverMaximum), (result.Success, result.Error));
        await AssertUnchangedAsync(sender, 100, recipient);
    }

    [Fact]
    public async Task TransferCredits_TheMaximumExactly_Moves()
    {
        var (sender, recipient) = (await SenderWithAsync(100), NewUser());
        var services = database.BuildServices(database.ConnectionString, o => o.Transfers.MaxTransferAmount = 50);

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 50, "at the maximum"), services);

        Assert.True(result.Success);
    }

    [Fact]
    public async Task TransferCredits_ToOneself_RefusedAndNothingWritten()
    {
        var sender = await SenderWithAsync(10);

        var result = await Credits(c => c.TransferCreditsAsync(sender, sender, 5, "to me"));

        Assert.Equal((false, CreditTransferError.SameUser), (result.Success, result.Error));
        Assert.Equal((10L, 10L, 1), await database.ReadLedgerAsync(sender));
    }

    [Fact]
    public async Task TransferCredits_RecipientWouldGoOverTheMaximumBalance_ThrowsAndWritesNothing()
    {
        var (sender, recipient) = (await SenderWithAsync(10), NewUser());
        await Credits(c => c.AddCreditsAsync(recipient, 1, CreditTransactionType.Bonus, "one"));
        await database.WithContextAsync(async db =>
        {
            // The balance at the maximum, with its ledger row (so the ledger stays consistent for the other tests).
            await db.Accounts.Where(a => a.UserId == recipient).ExecuteUpdateAsync(u => u.SetProperty(a => a.Balance, CreditLimits.MaxBalance));
            db.Transactions.Add(new MediaForge.Credits.Entities.CreditTransaction
            {
                Id = Guid.NewGuid(), UserId = recipient, Amount = CreditLimits.MaxBalance - 1, BalanceAfter = CreditLimits.MaxBalance,
                Type = CreditTransactionType.Adjustment, Description = "to the maximum", CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        });

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Credits(c => c.TransferCreditsAsync(sender, recipient, 1, "one too many")));

        Assert.StartsWith($"Transferring 1 credits would take the balance of user '{recipient}' over {CreditLimits.MaxBalance}.", error.Message, StringComparison.Ordinal);

        Assert.Equal((10L, 10L, 1), await database.ReadLedgerAsync(sender));
        Assert.Equal(CreditLimits.MaxBalance, (await database.ReadLedgerAsync(recipient)).Balance);
    }

    [Fact]
    public async Task TransferCredits_AfterTransfers_ReconciliationFindsNoDiscrepancy()
    {
        var (a, b) = (await SenderWithAsync(30), await SenderWithAsync(30));
        await Credits(c => c.TransferCreditsAsync(a, b, 12, "a to b"));
        await Credits(c => c.TransferCreditsAsync(b, a, 40, "b to a"));

        await using var scope = database.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<ICreditReconciliation>().ReconcileAsync();

        Assert.Empty(report.BalanceDiscrepancies);
        Assert.Equal((58L, 2L), ((await database.ReadLedgerAsync(a)).Balance, (await database.ReadLedgerAsync(b)).Balance));
    }
}

public sealed class SqliteTransferTests(SqliteCreditsDatabase database) : TransferTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTransferTests(PostgresCreditsDatabase database) : TransferTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTransferTests(MariaDbCreditsDatabase database) : TransferTests<MariaDbCreditsDatabase>(database);
