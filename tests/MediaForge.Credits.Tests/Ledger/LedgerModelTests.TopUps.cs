using CsCheck;
using MediaForge.Credits.Storage;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The auto top-up part of the model: the user's wallet tops up the pro pack (200 credits, 2999 cents) when a deduction
/// or capture takes it from 15 or more to less, at most 3 a calendar month and 2 packs' money. Top-ups are paid
/// (<c>payment_intent.succeeded</c>: the grant, once) or declined (counted once; 3 in a row pause the wallet) in any
/// order; a step brings the spendable credits just above the threshold and spends 3, so that crossings are frequent. A paid top-up's payment is refunded (<c>charge.refunded</c>, Stripe's cumulative amount: a quarter to all of
/// it, delivered twice): its share of the 200 credits is taken back once, the part already spent recorded as a shortfall.
/// After every step the top-ups created, paid and given up, the failures in a row and the pause are checked against the
/// model; the ledger invariants and the burn order cover the grants and the clawbacks.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>
{
    private const long TopUpThreshold = 15, TopUpPrice = 2999, TopUpMoneyCap = 2 * TopUpPrice + 100;
    private const int TopUpCountCap = 3;

    private static (int, Gen<Op>)[] TopUpOps =>
    [
        (4, Gen.Int[0, 3].Select(a => new Op(OpKind.TopUpPaid, a, 0))),
        (2, Gen.Int[0, 3].Select(a => new Op(OpKind.TopUpDeclined, a, 0))),
        (3, Gen.Select(Gen.Int[0, 3], Gen.Int[1, 4], (a, b) => new Op(OpKind.TopUpRefunded, a, b))),
        (3, Gen.Int[0, 2].Select(a => new Op(OpKind.TopUpNearThreshold, a, 0))),
    ];

    /// <summary>What the model knows of the user's auto top-up.</summary>
    private sealed class TopUpModel(string user)
    {
        private readonly Dictionary<DateTime, (int Count, long Amount)> months = [];
        private readonly List<(int Failed, CreditTopUpStatus Status)> topUps = [];
        private readonly List<Guid> ids = []; // the rows of the model's top-ups, in the order they were made (a step makes at most one)
        private readonly Dictionary<Guid, long> refunded = []; // paid top-ups: the cents refunded so far
        private int failures;
        private bool paused;

        public static async Task<TopUpModel> StartAsync(IServiceProvider services, string user)
        {
            await using var scope = services.CreateAsyncScope();
            var settings = scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>();
            Assert.Equal(CreditAutoTopUpError.None, await settings.SaveAsync(user, new CreditAutoTopUpChange(true, TopUpThreshold, "pro", TopUpCountCap, TopUpMoneyCap), default));
            await settings.SavePaymentMethodAsync(user, "cus_model", "pm_model", default);
            return new TopUpModel(user);
        }

        /// <summary>A deduction or capture of <paramref name="debited"/> left <paramref name="after"/>.</summary>
        public void AfterDebit(long after, long debited, DateTimeOffset now)
        {
            var month = CreditTopUpTriggers.MonthOf(now);
            var (count, amount) = months.GetValueOrDefault(month);
            if (debited > 0 && !paused && after < TopUpThreshold && after + debited >= TopUpThreshold && count < TopUpCountCap && amount + TopUpPrice <= TopUpMoneyCap)
            {
                months[month] = (count + 1, amount + TopUpPrice);
                topUps.Add((0, CreditTopUpStatus.Pending));
            }
        }

        public async Task RunAsync(IServiceProvider scope, Op op, string where)
        {
            if (op.Kind == OpKind.TopUpRefunded)
            {
                await RefundAsync(scope, op, where);
                return;
            }

            if (op.Kind == OpKind.TopUpNearThreshold)
            {
                // Brings the spendable credits to just above the threshold, then an image (3 credits) may cross it.
                var credits = scope.GetRequiredService<ICreditService>();
                var target = TopUpThreshold + (op.A % 3);
                var missing = target - (await credits.GetBalanceAsync(user)).Available;
                if (missing > 0)
                {
                    await credits.AddCreditsAsync(user, missing, CreditTransactionType.Purchase, "near the threshold");
                }

                var balance = await credits.GetBalanceAsync(user);
                if (balance.Available < target)
                {
                    // Credits past their expiry that holds keep lapse as far as the free balance allows (decision 0020): what
                    // was added went to them. Add what is still short and what of them is yet to lapse.
                    var store = scope.GetRequiredService<CreditsDbContext>();
                    var now = scope.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
                    var pastDue = await store.Grants.AsNoTracking().Where(g => g.UserId == user && g.Remaining > 0 && g.ExpiresAt <= now).SumAsync(g => g.Remaining);
                    var stored = await store.Accounts.AsNoTracking().Where(a => a.UserId == user).Select(a => a.Balance).SingleAsync();
                    await credits.AddCreditsAsync(user, target - balance.Available + pastDue - (stored - balance.Balance), CreditTransactionType.Purchase, "near the threshold");
                }

                var deduction = await credits.DeductCreditsAsync(user, "image-generation", "default");
                Assert.True(deduction.Success, $"{where}: {deduction.Error}");
                AfterDebit(deduction.RemainingBalance, 3, scope.GetRequiredService<TimeProvider>().GetUtcNow());
                return;
            }

            var open = Enumerable.Range(0, topUps.Count).Where(i => topUps[i].Status == CreditTopUpStatus.Pending).ToList();
            if (open.Count == 0)
            {
                return;
            }

            var i = open[op.A % open.Count];
            var id = ids[i];
            var charges = scope.GetRequiredService<CreditTopUpCharges>();
            var db = scope.GetRequiredService<CreditsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (op.Kind == OpKind.TopUpPaid)
            {
                Assert.True(await charges.SucceededAsync(id, "pi_model_" + id, TopUpPrice, "usd", "stripe", default) == CreditTopUpOutcome.Granted, where);
                Assert.True(await charges.SucceededAsync(id, "pi_model_" + id, TopUpPrice, "usd", "stripe", default) == CreditTopUpOutcome.AlreadyGranted, where);
                (topUps[i], failures) = ((topUps[i].Failed, CreditTopUpStatus.Succeeded), 0);
                refunded[id] = 0;
            }
            else
            {
                var attempt = topUps[i].Failed + 1;
                Assert.True(await charges.FailedAsync(id, attempt, "card_declined", null, default), where);
                Assert.False(await charges.FailedAsync(id, attempt, "card_declined", null, default), where); // its webhook, after the worker
                failures++;
                paused |= failures >= 3;
                topUps[i] = (attempt, paused ? CreditTopUpStatus.Failed : CreditTopUpStatus.Pending);
            }

            await transaction.CommitAsync();
        }

        /// <summary>Refunds a paid top-up up to <c>B</c> quarters of its price: the credits of the new share leave once.</summary>
        private async Task RefundAsync(IServiceProvider scope, Op op, string where)
        {
            var paid = ids.Where(refunded.ContainsKey).ToList();
            if (paid.Count == 0)
            {
                return;
            }

            var id = paid[op.A % paid.Count];
            var cents = Math.Max(refunded[id], TopUpPrice * op.B / 4);
            var purchases = scope.GetRequiredService<ICreditPurchaseService>();
            var balance = (await scope.GetRequiredService<ICreditService>().GetBalanceAsync(user)).Balance;
            var first = await purchases.RecordRefundAsync("pi_model_" + id, cents);
            var again = await purchases.RecordRefundAsync("pi_model_" + id, cents);
            Assert.True(first.Found && again.Found, $"{where}: the top-up's purchase was not found");
            Assert.True((again.CreditsRemoved, again.Shortfall) == (0, 0), $"{where}: the same refund delivered again removed {again.CreditsRemoved}");
            Assert.True(first.Balance == balance - first.CreditsRemoved, $"{where}: {balance} - {first.CreditsRemoved} removed left {first.Balance}");
            var purchase = await scope.GetRequiredService<CreditsDbContext>().Purchases.AsNoTracking().SingleAsync(p => p.ProviderPaymentId == "pi_model_" + id);
            var share = ((200 * cents * 2) + TopUpPrice) / (2 * TopUpPrice);
            Assert.True(purchase.CreditsClawedBack + purchase.ClawbackShortfall == share,
                $"{where}: {cents} cents refunded took {purchase.CreditsClawedBack} + {purchase.ClawbackShortfall} short, the share is {share}");
            // A shortfall is what this refund could not take: only when nothing was left. An earlier refund's stays recorded.
            Assert.True(first.Shortfall == 0 || first.Balance == 0, $"{where}: a shortfall of {first.Shortfall} with {first.Balance} left");
            refunded[id] = cents;
        }

        public async Task CheckAsync(IServiceProvider services, string where)
        {
            await using var scope = services.CreateAsyncScope();
            var rows = (await RowsAsync(scope.ServiceProvider)).ToDictionary(t => t.Id);
            Assert.True(rows.Count == topUps.Count, $"{where}: {rows.Count} top-ups, the model {topUps.Count}");
            ids.AddRange(rows.Keys.Except(ids));
            for (var i = 0; i < ids.Count; i++)
            {
                var row = rows[ids[i]];
                Assert.True((row.Status, row.FailedAttempts) == (topUps[i].Status, topUps[i].Failed),
                    $"{where}: top-up {i} is {row.Status} after {row.FailedAttempts} failures, the model {topUps[i]}");
            }

            var settings = await scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>().ReadAsync(user, default);
            Assert.True((settings.Paused, settings.ConsecutiveFailures) == (paused, failures),
                $"{where}: paused {settings.Paused} after {settings.ConsecutiveFailures} failures, the model {paused} after {failures}");
        }

        private Task<List<CreditTopUpRow>> RowsAsync(IServiceProvider scope) =>
            scope.GetRequiredService<CreditsDbContext>().Set<CreditTopUpRow>().AsNoTracking().Where(t => t.WalletId == user)
                .ToListAsync();
    }
}
