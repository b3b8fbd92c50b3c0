using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// What the hold tests share: one service provider per class on a real database, driven by a fake clock that starts at
/// <paramref name="start"/>, and short ways to call the services in a scope of their own (a request's lifetime).
/// </summary>
public abstract class HoldTestsBase<TDatabase>(TDatabase database, DateTimeOffset start) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? services;

    /// <summary>The database the class runs on.</summary>
    protected TDatabase Database => database;

    /// <summary>The clock every service of <see cref="Services"/> reads.</summary>
    protected FakeTimeProvider Clock { get; } = new(start);

    /// <summary>The library's services on <see cref="Database"/>, with <see cref="Clock"/>.</summary>
    protected ServiceProvider Services => services ??= database.BuildServices(database.ConnectionString, time: Clock);

    /// <summary>A user id no other test uses.</summary>
    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    /// <summary>A new user with <paramref name="credits"/> purchased credits.</summary>
    protected async Task<string> UserWithAsync(long credits)
    {
        var user = NewUser();
        await Credits(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "test"));
        return user;
    }

    /// <summary>Calls the hold service in a scope of its own.</summary>
    protected Task<T> Holds<T>(Func<ICreditReservationService, Task<T>> action) => With(action);

    /// <summary>Calls the credit service in a scope of its own.</summary>
    protected Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => With(action);

    /// <summary>Runs <paramref name="action"/> on a database context of its own.</summary>
    protected Task<T> Db<T>(Func<CreditsDbContext, Task<T>> action) => With(action);

    /// <summary>The hold's status, read from its row.</summary>
    protected Task<ReservationStatus> StatusAsync(CreditReservationResult hold) =>
        Db(db => db.Reservations.Where(r => r.Id == hold.ReservationId).Select(r => r.Status).SingleAsync());

    /// <summary>balance == Σ ledger, and reserved == Σ active holds: the invariants after any sequence.</summary>
    protected async Task AssertConsistentAsync(string user, long expectedBalance)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var account = await db.Accounts.SingleAsync(a => a.UserId == user);
        var ledger = (await db.Transactions.Where(t => t.UserId == user).Select(t => t.Amount).ToListAsync()).Sum();
        var active = (await db.Reservations.Where(r => r.UserId == user && r.Status == ReservationStatus.Active).Select(r => r.Amount).ToListAsync()).Sum();
        Assert.Equal(expectedBalance, account.Balance);
        Assert.Equal(account.Balance, ledger);
        Assert.Equal(active, account.Reserved);
        Assert.True(account.Balance - account.Reserved >= 0);
    }

    private async Task<T> With<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
