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
/// order. After every step the top-ups created, paid and given up, the failures in a row and the pause are checked
/// against the model; the ledger invariants and the burn order cover the grants.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>
{
    private const long TopUpThreshold = 15, TopUpPrice = 2999, TopUpMoneyCap = 2 * TopUpPrice + 100;
    private const int TopUpCountCap = 3;

    private static (int, Gen<Op>)[] TopUpOps =>
    [
        (2, Gen.Int[0, 3].Select(a => new Op(OpKind.TopUpPaid, a, 0))),
        (2, Gen.Int[0, 3].Select(a => new Op(OpKind.TopUpDeclined, a, 0))),
    ];

    /// <summary>What the model knows of the user's auto top-up.</summary>
    private sealed class TopUpModel(string user)
    {
        private readonly Dictionary<DateTime, (int Count, long Amount)> months = [];
        private readonly List<(int Failed, CreditTopUpStatus Status)> topUps = [];
        private readonly List<Guid> ids = []; // the rows of the model's top-ups, in the order they were made (a step makes at most one)
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
                Assert.True(await charges.SucceededAsync(id, "pi_model_" + id, TopUpPrice, "usd", default) == CreditTopUpOutcome.Granted, where);
                Assert.True(await charges.SucceededAsync(id, "pi_model_" + id, TopUpPrice, "usd", default) == CreditTopUpOutcome.AlreadyGranted, where);
                (topUps[i], failures) = ((topUps[i].Failed, CreditTopUpStatus.Succeeded), 0);
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
