using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// A bought Pro pack (200 credits, 2999 cents) with some of its credits held, and what the refund and dispute tests read
/// back: balance, Σ ledger, reserved, Σ active holds, spendable, and what was clawed back.
/// </summary>
public abstract class HeldCreditClawbackTestsBase<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? debtServices;
    private ServiceProvider? freezeServices;

    protected TDatabase Database => database;

    protected ServiceProvider DebtServices => debtServices ??= database.BuildServices(database.ConnectionString, o => o.ClawbackPolicy = CreditClawbackPolicy.AllowNegativeBalance);

    protected ServiceProvider FreezeServices => freezeServices ??= database.BuildServices(database.ConnectionString, o => o.DisputePolicy = CreditDisputePolicy.FreezeOnOpen);

    protected static async Task<T> With<T, TService>(IServiceProvider services, Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    protected Task<T> Purchases<T>(Func<ICreditPurchaseService, Task<T>> action, IServiceProvider? services = null) => With(services ?? database.Services, action);

    protected Task<T> Holds<T>(Func<ICreditReservationService, Task<T>> action, IServiceProvider? services = null) => With(services ?? database.Services, action);

    protected Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => With(database.Services, action);

    /// <summary>A new user who bought the Pro pack (200 credits, 2999 cents): its user, checkout session and payment.</summary>
    protected async Task<(string User, string Session, string Payment)> BuyProAsync(string? user = null)
    {
        user ??= "user_" + Guid.NewGuid().ToString("N");
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var payment = "pi_test_" + Guid.NewGuid().ToString("N");
        var purchase = await Purchases(p => p.StartPurchaseAsync(user, "pro", "stripe"));
        await Purchases(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        await Purchases(p => p.CompletePurchaseAsync(session, 2999, "usd", "pro", payment));
        return (user, session, payment);
    }

    protected Task<CreditReservationResult> HoldAsync(string user, long amount, IServiceProvider? services = null) =>
        Holds(h => h.ReserveCreditsAsync(user, "video-generation", "veo2", amount: amount), services);

    /// <summary>Balance, Σ ledger, reserved, Σ active holds, spendable, and the purchase's clawed back + shortfall.</summary>
    protected async Task<(long Balance, long Ledger, long Reserved, long Held, long Available, long Reversed)> StateAsync(string user)
    {
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == user);
        var ledger = (await db.Transactions.Where(t => t.UserId == user).Select(t => t.Amount).ToListAsync()).Sum();
        var held = (await db.Reservations.Where(r => r.UserId == user && r.Status == ReservationStatus.Active).Select(r => r.Amount).ToListAsync()).Sum();
        var reversed = (await db.Purchases.Where(p => p.UserId == user).Select(p => p.CreditsClawedBack + p.ClawbackShortfall).ToListAsync()).Sum();
        var available = (await scope.ServiceProvider.GetRequiredService<ICreditService>().GetBalanceAsync(user)).Available;
        return (account.Balance, ledger, account.Reserved, held, available, reversed);
    }

    protected async Task AssertInvariantsAsync(string user)
    {
        var state = await StateAsync(user);
        Assert.Equal(state.Balance, state.Ledger);
        Assert.Equal(state.Held, state.Reserved);
    }

    protected static long Credits(long refundedCents) => ((200 * refundedCents * 2) + 2999) / (2 * 2999);
}
