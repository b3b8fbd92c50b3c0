using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>What the ledger's rule classes share: the database they run on, new users, grants, and the ledger's invariant check.</summary>
public abstract class LedgerTestsBase<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>The database the class runs on.</summary>
    protected TDatabase Database { get; } = database;

    /// <summary>A user id no other test uses.</summary>
    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    /// <summary>Calls the credit service in a scope of its own, of <paramref name="services"/> when given.</summary>
    protected Task<T> WithCreditsAsync<T>(Func<ICreditService, Task<T>> action, IServiceProvider? services = null) =>
        Database.WithCreditsAsync(action, services);

    /// <summary>Grants <paramref name="amount"/> purchased credits to <paramref name="userId"/>, under <paramref name="key"/> when given.</summary>
    protected Task<CreditTransactionResult> GrantAsync(string userId, long amount, string? key = null) =>
        WithCreditsAsync(c => c.AddCreditsAsync(userId, amount, CreditTransactionType.Purchase, "test grant", idempotencyKey: key));

    /// <summary>
    /// A user with 100 purchased credits, on services whose contexts fail the balance updates <paramref name="failing"/>
    /// is armed for (<see cref="FailingBalanceUpdates.Arm"/>).
    /// </summary>
    protected async Task<(string User, FailingBalanceUpdates Failing, IServiceProvider Services)> WithFailingBalanceUpdatesAsync(FailingBalanceUpdates failing)
    {
        var services = Database.BuildServices(Database.ConnectionString, configureContext: o => o.AddInterceptors(failing));
        var user = NewUser();
        await WithCreditsAsync(c => c.AddCreditsAsync(user, 100, CreditTransactionType.Purchase, "credits"), services);
        return (user, failing, services);
    }

    /// <summary>The balance is <paramref name="expectedBalance"/> and equals the sum of the user's ledger rows.</summary>
    protected async Task AssertLedgerMatchesBalanceAsync(string userId, long expectedBalance)
    {
        var (balance, sum, _) = await Database.ReadLedgerAsync(userId);
        Assert.Equal(expectedBalance, balance);
        Assert.Equal(balance, sum);
    }
}
