using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The invariants the model checks after every step (balance == Σ ledger, reserved == Σ active holds and pending gifts,
/// spendable credits ≥ 0 but for what clawbacks took, expiring lots within the balance; only grants mint credits), and
/// the stored state it reads.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>
{
    private static async Task<CreditGiftStatus> GiftStatusAsync(IServiceProvider services, Guid giftId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditGiftRow>()
            .Where(g => g.Id == giftId).Select(g => g.Status).SingleAsync();
    }

    private static async Task<long> HeldAmountAsync(IServiceProvider services, Guid reservationId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Reservations
            .Where(r => r.Id == reservationId).Select(r => r.Amount).SingleAsync();
    }

    private static async Task AssertInvariantsAsync(IServiceProvider services, string user, string where)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == user);
        if (account is null)
        {
            return;
        }

        var ledger = (await db.Transactions.Where(t => t.UserId == user).Select(t => t.Amount).ToListAsync()).Sum();
        var activeHolds = (await db.Reservations.Where(r => r.UserId == user && r.Status == ReservationStatus.Active).Select(r => r.Amount).ToListAsync()).Sum()
            + (await db.Set<CreditGiftRow>().Where(g => g.SenderId == user && g.Status == CreditGiftStatus.Pending).Select(g => g.Amount).ToListAsync()).Sum();
        var lots = (await db.Grants.Where(g => g.UserId == user).Select(g => g.Remaining).ToListAsync()).Sum();
        var available = (await scope.ServiceProvider.GetRequiredService<MediaForge.Credits.Ledger.CreditService>().GetAccountBalanceAsync(user, default)).Available;
        Assert.True(account.Balance == ledger, $"{where}: balance {account.Balance} != ledger {ledger}");
        Assert.True(account.Reserved == activeHolds, $"{where}: reserved {account.Reserved} != active holds and pending gifts {activeHolds}");
        // A clawback reaches held credits (decision 0015): only what clawbacks took may leave the spendable credits below 0.
        var clawedBack = -(await db.Transactions.Where(t => t.UserId == user && t.Type == CreditTransactionType.Refund && t.Amount < 0).Select(t => t.Amount).ToListAsync()).Sum();
        Assert.True(account.Balance >= 0, $"{where}: balance {account.Balance} < 0");
        Assert.True(account.Balance - account.Reserved >= -clawedBack, $"{where}: balance {account.Balance} - reserved {account.Reserved} < -{clawedBack} clawed back");
        Assert.True(available >= -clawedBack, $"{where}: available {available} < -{clawedBack} clawed back");
        Assert.True(lots <= account.Balance, $"{where}: expiring lots {lots} exceed the balance {account.Balance}");
    }

    /// <summary>Credits are only minted by grants: what the users' transfer rows (gift redemptions) move sums to zero.</summary>
    private static async Task AssertOnlyGrantsMintAsync(IServiceProvider services, string user, string peer, string where)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var moved = (await db.Transactions.Where(t => (t.UserId == user || t.UserId == peer)
            && (t.Type == CreditTransactionType.TransferOut || t.Type == CreditTransactionType.TransferIn)).Select(t => t.Amount).ToListAsync()).Sum();
        Assert.True(moved == 0, $"{where}: transfer rows sum to {moved}");
    }
}
