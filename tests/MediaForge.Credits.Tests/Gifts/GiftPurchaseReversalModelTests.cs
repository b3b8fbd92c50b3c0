using CsCheck;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>
/// Model-based property test of a Pro pack (200 credits, 2999 cents) bought as a gift, under either dispute policy:
/// random sequences of redemptions, spending and grants of the buyer and the recipient, cumulative refund figures (older
/// ones arriving late) and deliveries of one dispute and then another in any state, each delivered again at times. A
/// reference model follows the refund and dispute figures, the credits they should take back
/// (refunded share + disputed share, each rounded half up, none for a dispute open under the freeze), and the gift's
/// state (revoked while pending when the credits to take back grow, or a dispute opens under the freeze). After every
/// step: the gift's state is the model's; taken back plus shortfall is the model's target; one dispute hold is active
/// exactly while a dispute is open under the freeze; for both users balance == Σ ledger ≥ 0 and reserved == Σ active
/// holds + Σ pending gifts; the two balances are what was granted, less what was spent and what the reversals said they
/// removed, plus what they said they restored. A failure prints the CsCheck seed; set <c>CsCheck_Seed</c> to replay it.
/// </summary>
public abstract class GiftPurchaseReversalModelTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const long Credits = 200, Price = 2999;

    public abstract record Step;

    public sealed record Redeem : Step;

    public sealed record Spend(bool Recipient, int Amount) : Step;

    public sealed record Grant(bool Recipient, int Amount) : Step;

    public sealed record Refund(int Cents) : Step;

    /// <summary>A delivery of the current dispute, or (<paramref name="Next"/>, once it is decided) of a new one.</summary>
    public sealed record Dispute(bool Next, PaymentDisputeState State, int Cents) : Step;

    public sealed record Again : Step;

    private static readonly Gen<Step> StepGen = Gen.Frequency(
    [
        (3, Gen.Const((Step)new Redeem())),
        (2, Gen.Select(Gen.Bool, Gen.Int[1, 250], (r, a) => (Step)new Spend(r, a))),
        (1, Gen.Select(Gen.Bool, Gen.Int[1, 100], (r, a) => (Step)new Grant(r, a))),
        (3, Gen.Int[0, 3200].Select(c => (Step)new Refund(c))),
        (5, Gen.Select(Gen.Frequency((1, Gen.Const(true)), (4, Gen.Const(false))), Gen.Enum<PaymentDisputeState>(), Gen.Int[0, 3200],
            (n, s, c) => (Step)new Dispute(n, s, c))),
        (2, Gen.Const((Step)new Again())),
    ]);

    [Fact]
    public async Task RandomReversalsOfABoughtGift_KeepTheModelsTargetGiftStateAndHoldsAfterEveryStep()
    {
        var freeze = new GiftSetup(database, o => (o.DisputePolicy, o.Gifts.RedeemAttemptsPerWindow) = (CreditDisputePolicy.FreezeOnOpen, 1000));
        var clawBack = new GiftSetup(database, o => o.Gifts.RedeemAttemptsPerWindow = 1000);
        await Gen.Select(Gen.Bool, StepGen.Array[3, 18]).SampleAsync(
            run => RunAsync(run.Item1 ? freeze : clawBack, run.Item1, run.Item2), iter: 25, threads: 1,
            print: run => $"freeze {run.Item1}: " + string.Join(" ", run.Item2.Select(s => s.ToString())));
    }

    private static async Task RunAsync(GiftSetup setup, bool freeze, Step[] steps)
    {
        var (buyer, payment, giftId, code) = await setup.BoughtGiftAsync();
        var recipient = GiftSetup.NewUser("recipient");
        var model = new Model();
        long expectedTotal = Credits;
        Step? last = null;
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i] is Again && last is not null ? last : steps[i];
            var where = $"step {i} {step}";
            switch (step)
            {
                case Redeem:
                    var redeemed = await setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
                    Assert.True(redeemed.Success == (model.Gift == CreditGiftStatus.Pending), $"{where}: {redeemed.Error}, gift {model.Gift}");
                    model.Gift = redeemed.Success ? CreditGiftStatus.Redeemed : model.Gift;
                    break;
                case Spend spend:
                    var spender = spend.Recipient ? recipient : buyer;
                    var amount = Math.Min(spend.Amount, Math.Max(0, (await setup.Credits(c => c.GetBalanceAsync(spender))).Available));
                    if (amount > 0)
                    {
                        await setup.Credits(c => c.AdjustCreditsAsync(spender, -amount, "spent", "model"));
                        expectedTotal -= amount;
                    }

                    break;
                case Grant grant:
                    await setup.Credits(c => c.AddCreditsAsync(grant.Recipient ? recipient : buyer, grant.Amount, CreditTransactionType.Purchase, "own pack"));
                    expectedTotal += grant.Amount;
                    break;
                case Refund or Dispute:
                    var before = model.Target(freeze);
                    var result = step is Refund refund
                        ? await setup.RefundAsync(payment, model.Refund(refund.Cents))
                        : await DisputeAsync(setup, payment, model, (Dispute)step);
                    if (model.Gift == CreditGiftStatus.Pending
                        && (model.Target(freeze) > before || (freeze && step is Dispute && model.State == PaymentDisputeState.Open)))
                    {
                        model.Gift = CreditGiftStatus.Revoked;
                    }

                    expectedTotal += result.CreditsRestored - result.CreditsRemoved;
                    break;
            }

            // Delivered again: the same dispute, not a new one.
            last = step is Dispute delivered ? delivered with { Next = false } : step;
            await CheckAsync(setup, buyer, recipient, payment, giftId, model, freeze, expectedTotal, where);
        }
    }

    private static Task<PurchaseReversalResult> DisputeAsync(GiftSetup setup, string payment, Model model, Dispute dispute)
    {
        var id = model.Dispute(dispute.Next, dispute.State, dispute.Cents);
        return setup.With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordDisputeAsync(payment, id, dispute.Cents, dispute.State));
    }

    private static async Task CheckAsync(GiftSetup setup, string buyer, string recipient, string payment, Guid giftId, Model model, bool freeze,
        long expectedTotal, string where)
    {
        Assert.True((await setup.RowAsync(giftId)).Status == model.Gift, $"after {where}: gift {(await setup.RowAsync(giftId)).Status}, model {model.Gift}");
        await using var scope = setup.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var purchase = await db.Purchases.AsNoTracking().SingleAsync(p => p.ProviderPaymentId == payment);
        Assert.True(purchase.CreditsClawedBack + purchase.ClawbackShortfall == model.Target(freeze),
            $"after {where}: {purchase.CreditsClawedBack} taken back + {purchase.ClawbackShortfall} short, model {model.Target(freeze)}");
        var frozen = await db.Reservations.AsNoTracking()
            .CountAsync(r => (r.UserId == buyer || r.UserId == recipient) && r.Feature == "dispute" && r.Status == ReservationStatus.Active);
        Assert.True(frozen == (freeze && model.State == PaymentDisputeState.Open ? 1 : 0), $"after {where}: {frozen} dispute holds active, state {model.State}");
        long total = 0;
        foreach (var user in new[] { buyer, recipient })
        {
            var (balance, reserved, ledger) = await setup.AccountAsync(user);
            var held = await db.Reservations.AsNoTracking().Where(r => r.UserId == user && r.Status == ReservationStatus.Active).SumAsync(r => r.Amount)
                + await db.Set<CreditGiftRow>().AsNoTracking().Where(g => g.SenderId == user && g.Status == CreditGiftStatus.Pending).SumAsync(g => g.Amount);
            Assert.True(balance == ledger && balance >= 0 && reserved == held, $"after {where}: {user} balance {balance}, ledger {ledger}, reserved {reserved}, held {held}");
            total += balance;
        }

        Assert.True(total == expectedTotal, $"after {where}: balances {total}, expected {expectedTotal}");
    }

    /// <summary>The purchase's refund and dispute figures as the provider's deliveries leave them, and the gift's state.</summary>
    private sealed class Model
    {
        private readonly string prefix = "dp_" + Guid.NewGuid().ToString("N")[..8];
        private int disputes;
        private long refunded, disputed;

        public CreditGiftStatus Gift { get; set; } = CreditGiftStatus.Pending;

        public PaymentDisputeState? State { get; private set; }

        /// <summary>The cumulative refund figure is never lowered by an older one; at most the price.</summary>
        public long Refund(int cents)
        {
            refunded = Math.Max(refunded, Math.Min(cents, Price));
            return cents;
        }

        /// <summary>The dispute the delivery is about; a decided one ignores a late "opened", the same state never lowers the amount.</summary>
        public string Dispute(bool next, PaymentDisputeState state, int cents)
        {
            var decided = State is PaymentDisputeState.Won or PaymentDisputeState.Lost;
            var id = $"{prefix}_{disputes}";
            if (next && decided || State is null)
            {
                (id, disputes) = ($"{prefix}_{disputes + 1}", disputes + 1);
                (State, disputed) = (null, 0);
            }
            else if (decided && state == PaymentDisputeState.Open)
            {
                return id;
            }

            var amount = Math.Min(cents, Price);
            disputed = state == PaymentDisputeState.Won ? 0 : State == state ? Math.Max(disputed, amount) : amount;
            State = state;
            return id;
        }

        public long Target(bool freeze) =>
            Math.Min(Credits, Share(refunded) + Share(freeze && State == PaymentDisputeState.Open ? 0 : disputed));

        private static long Share(long part) => ((Credits * part * 2) + Price) / (2 * Price);
    }
}

public sealed class SqliteGiftPurchaseReversalModelTests(SqliteCreditsDatabase database) : GiftPurchaseReversalModelTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftPurchaseReversalModelTests(PostgresCreditsDatabase database) : GiftPurchaseReversalModelTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftPurchaseReversalModelTests(MariaDbCreditsDatabase database) : GiftPurchaseReversalModelTests<MariaDbCreditsDatabase>(database);
