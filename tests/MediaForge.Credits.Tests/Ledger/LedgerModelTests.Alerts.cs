using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The alert part of the model (threshold <see cref="AlertModel.Threshold"/>): each wallet (the user, the peer, the team's)
/// is armed until a step takes its balance from the threshold or more to less (one <see cref="LowBalance"/>), and armed
/// again by a step that takes it from below to the threshold or more; a step that takes a balance from above 0 to 0
/// raises one <see cref="Depleted"/>. Every step moves each wallet's balance one way only (debits, lapses and clawbacks
/// down; grants, refunds and transfers in up), so the balances before and after the step decide, except for a
/// subscription's invoice, which can grant and lapse the same wallet in one step: after those steps the model takes the
/// stored alert state and does not count.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>
{
    private sealed class AlertModel(params string[] wallets)
    {
        public const long Threshold = 20;

        private readonly Dictionary<string, bool> armed = wallets.ToDictionary(w => w, _ => true);

        /// <summary>Each wallet's stored balance and its LowBalance and Depleted events so far.</summary>
        public async Task<Dictionary<string, (long Balance, int Low, int Depleted)>> ReadAsync(IServiceProvider services)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
            var balances = await db.Accounts.AsNoTracking().Where(a => wallets.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, a => a.Balance);
            var events = await db.Set<CreditEventRow>().AsNoTracking()
                .Where(e => wallets.Contains(e.WalletId) && (e.Type == LowBalance.TypeName || e.Type == Depleted.TypeName))
                .Select(e => new { e.WalletId, e.Type }).ToListAsync();
            return wallets.ToDictionary(w => w, w => (balances.GetValueOrDefault(w),
                events.Count(e => e.WalletId == w && e.Type == LowBalance.TypeName), events.Count(e => e.WalletId == w && e.Type == Depleted.TypeName)));
        }

        /// <summary>The events the step raised are the crossings the model expects from the balances before and after it.</summary>
        public async Task CheckAsync(IServiceProvider services, Dictionary<string, (long Balance, int Low, int Depleted)> before, bool mixed, string where)
        {
            var after = await ReadAsync(services);
            foreach (var wallet in wallets)
            {
                var (was, now) = (before[wallet], after[wallet]);
                if (mixed)
                {
                    armed[wallet] = await ArmedAsync(services, wallet);
                    continue;
                }

                var low = armed[wallet] && was.Balance >= Threshold && now.Balance < Threshold;
                var depleted = was.Balance > 0 && now.Balance == 0;
                Assert.True(now.Low - was.Low == (low ? 1 : 0), $"{where}: {wallet} {was.Balance} -> {now.Balance}, armed {armed[wallet]}: {now.Low - was.Low} low-balance events");
                Assert.True(now.Depleted - was.Depleted == (depleted ? 1 : 0), $"{where}: {wallet} {was.Balance} -> {now.Balance}: {now.Depleted - was.Depleted} depleted events");
                armed[wallet] = low ? false : armed[wallet] || (was.Balance < Threshold && now.Balance >= Threshold);
            }
        }

        private static async Task<bool> ArmedAsync(IServiceProvider services, string wallet)
        {
            await using var scope = services.CreateAsyncScope();
            return !await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditAlertState>().AnyAsync(s => s.WalletId == wallet && s.LowBalanceAlerted);
        }
    }
}
