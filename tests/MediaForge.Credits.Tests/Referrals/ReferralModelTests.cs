using CsCheck;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// Model-based property test of referrals: random sequences of attach (any user to any user's code), paid purchase and
/// refund over four users, on a real database, against a model of the rules (one referrer per referee, no self or
/// mutual referral, first paid purchase rewards within a cap of 2 a month, a refund of that purchase takes the reward
/// back). After every step each balance is what the model says, each balance == Σ its ledger, and Σ balances == Σ
/// ledger == the credits the model's grants minted (purchases, bonuses, rewards) less what refunds removed.
/// A failure prints the CsCheck seed; set <c>CsCheck_Seed</c> to replay it.
/// </summary>
public abstract class ReferralModelTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Users = 4;

    public enum OpKind
    {
        Attach,
        Buy,
        Refund,
    }

    public readonly record struct Op(OpKind Kind, int A, int B)
    {
        public override string ToString() => $"{Kind}({A},{B})";
    }

    private static readonly Gen<Op> OpGen = Gen.Frequency(
        (4, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Users - 1], (a, b) => new Op(OpKind.Attach, a, b))),
        (3, Gen.Int[0, Users - 1].Select(a => new Op(OpKind.Buy, a, 0))),
        (2, Gen.Int[0, 9].Select(a => new Op(OpKind.Refund, a, 0))));

    /// <summary>The model: who referred whom, each referral's status and qualifying purchase, and every balance.</summary>
    private sealed class Model
    {
        public Dictionary<int, int> ReferrerOf { get; } = [];

        public Dictionary<int, CreditReferralStatus> Status { get; } = [];

        public Dictionary<int, int> QualifyingPurchase { get; } = [];

        public long[] Balances { get; } = new long[Users];

        public List<(int Buyer, string Payment, bool Refunded)> Purchases { get; } = [];
    }

    [Fact]
    public async Task RandomReferralSequences_MatchTheModelAndKeepTheLedgerInvariants()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2033, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var setup = new ReferralSetup(database, o => o.MonthlyRewardCap = 2, clock);

        await OpGen.Array[5, 25].SampleAsync(
            async ops => await RunSequenceAsync(setup, ops),
            iter: 12,
            threads: 1,
            print: ops => string.Join(" ", ops));
    }

    private static async Task RunSequenceAsync(ReferralSetup setup, Op[] ops)
    {
        var users = new string[Users];
        var codes = new string[Users];
        for (var i = 0; i < Users; i++)
        {
            users[i] = await setup.SignUpAsync("m" + i, $"{Guid.NewGuid():N}@example.com");
            codes[i] = await setup.CodeOf(users[i]);
        }

        var model = new Model();
        for (var step = 0; step < ops.Length; step++)
        {
            var op = ops[step];
            switch (op.Kind)
            {
                case OpKind.Attach:
                    var outcome = (await setup.AttachAsync(users[op.A], codes[op.B])).Outcome;
                    Assert.True(Expected(model, op.A, op.B) == outcome, $"step {step} {op}: {outcome}, model {Expected(model, op.A, op.B)}");
                    if (outcome == CreditReferralAttachOutcome.Attached)
                    {
                        model.ReferrerOf[op.A] = op.B;
                        model.Status[op.A] = CreditReferralStatus.Attached;
                        model.Balances[op.A] += ReferralSetup.Bonus;
                    }

                    break;
                case OpKind.Buy:
                    var purchase = await setup.BuyProAsync(users[op.A]);
                    model.Purchases.Add((op.A, purchase.Payment, false));
                    model.Balances[op.A] += 200;
                    if (model.Status.GetValueOrDefault(op.A, CreditReferralStatus.ClawedBack) == CreditReferralStatus.Attached)
                    {
                        var referrer = model.ReferrerOf[op.A];
                        var rewarded = model.Status.Count(s => s.Value is CreditReferralStatus.Rewarded or CreditReferralStatus.ClawedBack && model.ReferrerOf[s.Key] == referrer);
                        model.Status[op.A] = rewarded < 2 ? CreditReferralStatus.Rewarded : CreditReferralStatus.CapReached;
                        model.QualifyingPurchase[op.A] = model.Purchases.Count - 1;
                        model.Balances[referrer] += rewarded < 2 ? ReferralSetup.Reward : 0;
                    }

                    break;
                case OpKind.Refund when model.Purchases.Count > 0:
                    var index = op.A % model.Purchases.Count;
                    var (buyer, payment, refunded) = model.Purchases[index];
                    await setup.RefundAsync(payment);
                    if (!refunded)
                    {
                        model.Purchases[index] = (buyer, payment, true);
                        model.Balances[buyer] -= 200;
                        if (model.QualifyingPurchase.GetValueOrDefault(buyer, -1) == index && model.Status[buyer] == CreditReferralStatus.Rewarded)
                        {
                            model.Status[buyer] = CreditReferralStatus.ClawedBack;
                            model.Balances[model.ReferrerOf[buyer]] -= ReferralSetup.Reward;
                        }
                    }

                    break;
            }

            await AssertMatchesAsync(setup, users, model, $"after step {step} {op}");
        }
    }

    /// <summary>What the rules say attaching <paramref name="referee"/> to <paramref name="referrer"/>'s code does.</summary>
    private static CreditReferralAttachOutcome Expected(Model model, int referee, int referrer) =>
        referee == referrer ? CreditReferralAttachOutcome.SelfReferral
        : model.ReferrerOf.TryGetValue(referee, out var earlier) ? (earlier == referrer ? CreditReferralAttachOutcome.AlreadyAttached : CreditReferralAttachOutcome.AlreadyReferred)
        : model.ReferrerOf.GetValueOrDefault(referrer, -1) == referee ? CreditReferralAttachOutcome.MutualReferral
        : CreditReferralAttachOutcome.Attached;

    private static async Task AssertMatchesAsync(ReferralSetup setup, string[] users, Model model, string where)
    {
        long balances = 0, ledger = 0, minted = 0;
        await setup.WithContextAsync(async db =>
        {
            foreach (var (user, i) in users.Select((u, i) => (u, i)))
            {
                var balance = await db.Accounts.Where(a => a.UserId == user).Select(a => a.Balance).SingleAsync();
                var rows = await db.Transactions.Where(t => t.UserId == user).Select(t => new { t.Amount, t.Type }).ToListAsync();
                Assert.True(balance == model.Balances[i], $"{where}: user {i} balance {balance}, model {model.Balances[i]}");
                Assert.True(balance == rows.Sum(r => r.Amount), $"{where}: user {i} balance {balance} != ledger {rows.Sum(r => r.Amount)}");
                balances += balance;
                ledger += rows.Sum(r => r.Amount);
                minted += rows.Where(r => r.Amount > 0).Sum(r => r.Type is CreditTransactionType.Purchase or CreditTransactionType.Bonus ? r.Amount : long.MinValue / 1024);
                minted += rows.Where(r => r.Amount < 0).Sum(r => r.Amount);
                var status = await db.Referrals.Where(r => r.RefereeId == user).Select(r => (CreditReferralStatus?)r.Status).SingleOrDefaultAsync();
                Assert.True(status == (model.Status.TryGetValue(i, out var s) ? s : null), $"{where}: user {i} referral {status}, model {(model.Status.TryGetValue(i, out var m) ? m : null)}");
            }
        });
        Assert.True(balances == ledger && ledger == minted, $"{where}: Σ balances {balances}, Σ ledger {ledger}, minted by grants less removals {minted}");
    }
}

public sealed class SqliteReferralModelTests(SqliteCreditsDatabase database) : ReferralModelTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralModelTests(PostgresCreditsDatabase database) : ReferralModelTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralModelTests(MariaDbCreditsDatabase database) : ReferralModelTests<MariaDbCreditsDatabase>(database);
