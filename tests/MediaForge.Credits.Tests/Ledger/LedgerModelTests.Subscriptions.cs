using CsCheck;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Subscriptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The subscription part of the model: the user's subscription, on basic (100 a period) or premium (300), both rolling
/// over at most 50, periods of 6 hours whose allowance lasts 30 minutes past them. Invoices paid for the previous,
/// current or next period, upgrades and downgrades, payment failures and the end come in any order; the model keeps
/// what each period is owed (the largest plan an invoice or an update named for it, granted once paid while it lasts,
/// never for a period starting after the end) and the status. After every step the allowance granted per period, the
/// status and the rollover cap are checked against it.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>
{
    private static readonly TimeSpan SubscriptionPeriod = TimeSpan.FromHours(6);

    private static (int, Gen<Op>)[] SubscriptionOps =>
    [
        (3, Gen.Select(Gen.Int[0, 2], Gen.Int[0, 1], (a, b) => new Op(OpKind.SubscriptionPaid, a, b))),
        (2, Gen.Int[0, 1].Select(b => new Op(OpKind.SubscriptionChange, 0, b))),
        (1, Gen.Const(new Op(OpKind.SubscriptionFailed, 0, 0))),
        (1, Gen.Const(new Op(OpKind.SubscriptionEnd, 0, 0))),
    ];

    /// <summary>The plans of the model (options of its host).</summary>
    private static void AddModelPlans(CreditsOptions options)
    {
        options.DefaultPlans.Add(new CreditPlan { Id = "model-basic", Name = "Basic", StripePriceId = "price_model_basic", CreditsPerPeriod = 100, RolloverPolicy = CreditRolloverPolicy.Rollover, RolloverCap = 50 });
        options.DefaultPlans.Add(new CreditPlan { Id = "model-premium", Name = "Premium", StripePriceId = "price_model_premium", CreditsPerPeriod = 300, RolloverPolicy = CreditRolloverPolicy.Rollover, RolloverCap = 50 });
        options.Subscriptions.RenewalGrace = TimeSpan.FromMinutes(30);
    }

    /// <summary>What the model knows of the user's subscription.</summary>
    private sealed class SubscriptionModel(string user, DateTime start)
    {
        private static readonly (string Price, long Credits)[] Plans = [("price_model_basic", 100), ("price_model_premium", 300)];

        private readonly string id = "sub_model_" + Guid.NewGuid().ToString("N");
        private readonly Dictionary<long, (long Target, bool Paid, long Granted)> periods = [];
        private CreditSubscriptionStatus? status;
        private DateTime? endedAt;
        private long created;

        public async Task RunAsync(IServiceProvider scope, FakeTimeProvider clock, Op op, string where)
        {
            var subscriptions = scope.GetRequiredService<CreditSubscriptions>();
            var now = clock.GetUtcNow().UtcDateTime;
            var current = (long)((now - start) / SubscriptionPeriod);
            var (price, credits) = Plans[op.B];
            created++;
            switch (op.Kind)
            {
                case OpKind.SubscriptionPaid:
                    var k = Math.Max(0, current + op.A - 1);
                    await subscriptions.ApplyInvoicePaidAsync(new CreditSubscriptionInvoice(id, null, user, created, "subscription_cycle",
                        [new CreditInvoiceLine(price, Start(k), Start(k + 1), 1900)]), default);
                    status = status is null or CreditSubscriptionStatus.PastDue or CreditSubscriptionStatus.Incomplete ? CreditSubscriptionStatus.Active : status;
                    Owe(k, credits, paid: true, now);
                    break;
                case OpKind.SubscriptionChange:
                    await subscriptions.ApplyStateAsync(new CreditSubscriptionState(id, null, user, created, price, CreditSubscriptionStatus.Active,
                        Start(current), Start(current + 1), null), default);
                    if (status != CreditSubscriptionStatus.Canceled)
                    {
                        status = CreditSubscriptionStatus.Active;
                        Owe(current, credits, paid: false, now);
                    }

                    break;
                case OpKind.SubscriptionFailed:
                    await subscriptions.ApplyPaymentFailedAsync(id, created, default);
                    status = status is null or CreditSubscriptionStatus.Canceled ? status : CreditSubscriptionStatus.PastDue;
                    break;
                case OpKind.SubscriptionEnd:
                    await subscriptions.ApplyStateAsync(new CreditSubscriptionState(id, null, user, created, price, CreditSubscriptionStatus.Canceled,
                        Start(current), Start(current + 1), now), default);
                    endedAt ??= now;
                    status = CreditSubscriptionStatus.Canceled;
                    break;
            }

            await AssertAsync(scope, where);
        }

        private DateTime Start(long period) => start + (SubscriptionPeriod * period);

        /// <summary>The period's target only grows; a paid period still lasting and starting before the end is granted it.</summary>
        private void Owe(long period, long credits, bool paid, DateTime now)
        {
            var (target, wasPaid, granted) = periods.GetValueOrDefault(period);
            (target, paid) = (Math.Max(target, credits), paid || wasPaid);
            var grantable = paid && (endedAt is not { } ended || Start(period) < ended) && Start(period + 1).AddMinutes(30) > now;
            periods[period] = (target, paid, grantable ? target : granted);
        }

        private async Task AssertAsync(IServiceProvider scope, string where)
        {
            var db = scope.GetRequiredService<CreditsDbContext>();
            var prefix = CreditSubscriptionGrants.KeyPrefix(id);
            var rows = await db.Transactions.AsNoTracking().Where(t => t.UserId == user && t.IdempotencyKey!.StartsWith(prefix))
                .Select(t => new { t.IdempotencyKey, t.Amount }).ToListAsync();
            // Keys mf:subscription:{id}:{period end}:{target}, and :carry:{lot} for what rolled over into the period.
            var granted = rows.Where(r => !r.IdempotencyKey!.Contains(":carry:", StringComparison.Ordinal))
                .GroupBy(r => long.Parse(r.IdempotencyKey!.Split(':')[3], System.Globalization.CultureInfo.InvariantCulture))
                .ToDictionary(g => g.Key, g => g.Sum(r => r.Amount));
            var carriedRows = rows.Where(r => r.IdempotencyKey!.Contains(":carry:", StringComparison.Ordinal))
                .GroupBy(r => long.Parse(r.IdempotencyKey!.Split(':')[3], System.Globalization.CultureInfo.InvariantCulture))
                .ToDictionary(g => g.Key, g => g.Sum(r => r.Amount));
            var expected = periods.Where(p => p.Value.Granted > 0)
                .ToDictionary(p => new DateTimeOffset(Start(p.Key + 1), TimeSpan.Zero).ToUnixTimeSeconds(), p => p.Value.Granted);
            Assert.True(expected.Count == granted.Count && expected.All(e => granted.GetValueOrDefault(e.Key) == e.Value),
                $"{where}: allowance granted per period {string.Join(", ", granted)}, model {string.Join(", ", expected)}");
            var row = await db.Set<CreditSubscriptionRow>().AsNoTracking().Where(s => s.Id == id).Select(s => (CreditSubscriptionStatus?)s.Status).SingleOrDefaultAsync();
            Assert.True(row == status, $"{where}: status {row}, model {status}");
            var carried = await db.Set<CreditSubscriptionPeriodRow>().AsNoTracking().Where(p => p.SubscriptionId == id)
                .Select(p => new { p.PeriodEnd, p.CarriedIn }).ToListAsync();
            Assert.True(carried.All(c => c.CarriedIn is >= 0 and <= 50), $"{where}: carried {string.Join(", ", carried)} over the cap 50");
            Assert.True(carried.All(c => carriedRows.GetValueOrDefault(new DateTimeOffset(DateTime.SpecifyKind(c.PeriodEnd, DateTimeKind.Utc)).ToUnixTimeSeconds()) == c.CarriedIn),
                $"{where}: carried per period {string.Join(", ", carried)}, in the ledger {string.Join(", ", carriedRows)}");
        }
    }
}
