using CsCheck;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// Model-based property test with faults: random sequences of grants, deductions, adjustments and transfers to and from a
/// second user (with or without an idempotency key, alone or through group commit), each hit at random by a lost commit
/// acknowledgement, a commit that never reached the database or a crash between two statements, and some delivered
/// twice at once. A model keeps both users' expected balances. After every step: balance == Σ ledger == the model for
/// both users; credits are only minted by grants (the transfer rows of both users sum to zero); the operation applied
/// at most once, exactly once when it answered success, never when it threw; a deduction or transfer succeeds exactly
/// when the payer's balance covers it. At the end every key is sent again and must replay its first outcome. A failure prints the CsCheck seed; set the
/// environment variable <c>CsCheck_Seed</c> to it to replay the same sequence.
/// </summary>
public abstract class FaultedLedgerModelTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly (string Feature, string Model, long Price)[] Features =
        [("image-generation", "default", 3), ("map-animation", "hailuo", 5), ("video-generation", "hailuo", 8), ("video-generation", "veo2", 15)];

    public enum OpKind
    {
        Grant,
        Deduct,
        Adjust,
        TransferOut,
        TransferIn,
    }

    public readonly record struct Op(OpKind Kind, int A, CommitFaultKind Fault, bool Keyed, bool Twice)
    {
        public override string ToString() => $"{Kind}({A},{Fault},{(Keyed ? "key" : "nokey")}{(Twice ? ",twice" : "")})";
    }

    private static readonly Gen<Op> OpGen = Gen.Select(
        Gen.Frequency(
            (2, Gen.Int[1, 40].Select(a => (OpKind.Grant, a))),
            (4, Gen.Int[0, Features.Length - 1].Select(a => (OpKind.Deduct, a))),
            (1, Gen.Int[-30, 30].Where(a => a != 0).Select(a => (OpKind.Adjust, a))),
            (1, Gen.Int[1, 25].Select(a => (OpKind.TransferOut, a))),
            (1, Gen.Int[1, 25].Select(a => (OpKind.TransferIn, a)))),
        Gen.Enum<CommitFaultKind>(), Gen.Bool, Gen.Int[0, 4],
        (op, fault, keyed, twice) => new Op(op.Item1, op.Item2, fault, keyed, keyed && twice == 0));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RandomSequencesWithFaults_ApplyEveryOperationAtMostOnce_AndKeepEveryInvariant(bool coalesce)
    {
        var fault = new CommitFault();
        var services = database.BuildServices(database.ConnectionString, o => o.CoalesceDeductions = coalesce,
            configureContext: o => o.AddInterceptors(fault, fault.Commands));

        await OpGen.Array[5, 30].SampleAsync(
            async ops => await new Sequence(database, services, fault).RunAsync(ops),
            iter: 15,
            threads: 1,
            print: ops => string.Join(" ", ops));
    }

    private sealed class Sequence(TDatabase database, IServiceProvider services, CommitFault fault)
    {
        private const long PeerStart = 60;
        private readonly string user = "model_" + Guid.NewGuid().ToString("N");
        private readonly string peer = "model_peer_" + Guid.NewGuid().ToString("N");
        private readonly Dictionary<string, (Op Op, Guid? TransactionId)> keys = [];
        private long model;
        private long peerModel = PeerStart;

        public async Task RunAsync(Op[] ops)
        {
            await database.WithCreditsAsync(c => c.AddCreditsAsync(peer, PeerStart, CreditTransactionType.Purchase, "peer's pack"), services);
            for (var step = 0; step < ops.Length; step++)
            {
                var op = ops[step];
                var key = op.Keyed ? $"{op.Kind}-{step}" : null;
                var where = $"step {step} {op}";
                fault.Arm(op.Fault);
                var outcome = await StepAsync(op, key, where);
                fault.Arm(CommitFaultKind.None);
                if (outcome is null)
                {
                    // Threw: nothing was applied, so the caller's retry (with its key, if it has one) is safe.
                    outcome = await StepAsync(op, key, where + " (retried)");
                    Assert.NotNull(outcome);
                }

                if (op.Twice)
                {
                    await DuplicateAsync(op, key!, where);
                }
            }

            foreach (var (key, (op, transactionId)) in keys)
            {
                var replay = await ApplyAsync(op, key);
                Assert.True(replay.Success && replay.IsReplay && replay.TransactionId == transactionId, $"replay of {key}: {replay}");
            }

            Assert.Equal((model, model), Trim(await database.ReadLedgerAsync(user)));
            Assert.Equal((peerModel, peerModel), Trim(await database.ReadLedgerAsync(peer)));
        }

        /// <summary>One call and its checks; <see langword="null"/> when it threw.</summary>
        private async Task<Outcome?> StepAsync(Op op, string? key, string where)
        {
            var (before, _, rowsBefore) = await database.ReadLedgerAsync(user);
            Outcome? outcome;
            try
            {
                outcome = await ApplyAsync(op, key);
            }
            catch (SimulatedDbException)
            {
                outcome = null;
            }

            var (after, sum, rowsAfter) = await database.ReadLedgerAsync(user);
            Assert.True(after == sum, $"{where}: balance {after} != ledger {sum}");
            if (outcome is null)
            {
                Assert.True(op.Fault is CommitFaultKind.CommitNeverArrived or CommitFaultKind.AcknowledgementLost, $"{where}: threw with fault {op.Fault}");
                Assert.True(rowsAfter == rowsBefore && after == before, $"{where}: threw but moved {after - before}");
                return null;
            }

            var expectSuccess = op.Kind switch
            {
                OpKind.Grant => true,
                OpKind.TransferIn => peerModel >= op.A,
                _ => Delta(op) >= 0 || model + Delta(op) >= 0,
            };
            Assert.True(outcome.Success == expectSuccess && !outcome.IsReplay, $"{where}: {outcome}, model balance {model}");
            Assert.Equal(outcome.Success ? rowsBefore + 1 : rowsBefore, rowsAfter);
            if (outcome.Success)
            {
                model += Delta(op);
                peerModel -= op.Kind is OpKind.TransferOut or OpKind.TransferIn ? Delta(op) : 0;
                if (key is not null)
                {
                    keys[key] = (op, outcome.TransactionId);
                }
            }

            Assert.True(after == model, $"{where}: balance {after}, model {model}");
            var (peerBalance, peerSum, _) = await database.ReadLedgerAsync(peer);
            Assert.True(peerBalance == peerSum && peerBalance == peerModel, $"{where}: peer balance {peerBalance}, ledger {peerSum}, model {peerModel}");
            Assert.True(await TransferRowsSumAsync() == 0, $"{where}: transfer rows minted or destroyed credits");
            return outcome;
        }

        /// <summary>The same keyed request delivered twice at once, after its first delivery: both replay it, nothing moves.</summary>
        private async Task DuplicateAsync(Op op, string key, string where)
        {
            var before = await database.ReadLedgerAsync(user);
            var results = await Task.WhenAll(ApplyAsync(op, key), ApplyAsync(op, key));

            Assert.Equal(before, await database.ReadLedgerAsync(user));
            if (keys.TryGetValue(key, out var first))
            {
                Assert.All(results, r => Assert.True(r.Success && r.IsReplay && r.TransactionId == first.TransactionId, $"{where} twice: {r}"));
            }
        }

        private static long Delta(Op op) => op.Kind switch
        {
            OpKind.Grant => op.A,
            OpKind.Deduct => -Features[op.A].Price,
            OpKind.TransferOut => -op.A,
            _ => op.A,
        };

        /// <summary>Σ of both users' transfer rows: zero when transfers only move credits.</summary>
        private async Task<long> TransferRowsSumAsync()
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MediaForge.Credits.Storage.CreditsDbContext>();
            var amounts = await db.Transactions.Where(t => (t.UserId == user || t.UserId == peer)
                    && (t.Type == CreditTransactionType.TransferIn || t.Type == CreditTransactionType.TransferOut))
                .Select(t => t.Amount).ToListAsync();
            return amounts.Sum();
        }

        private async Task<Outcome> ApplyAsync(Op op, string? key)
        {
            await using var scope = services.CreateAsyncScope();
            var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
            switch (op.Kind)
            {
                case OpKind.Grant:
                    var grant = await credits.AddCreditsAsync(user, op.A, CreditTransactionType.Bonus, "model grant", idempotencyKey: key);
                    return new Outcome(true, grant.IsReplay, grant.TransactionId);
                case OpKind.Deduct:
                    var (feature, model, _) = Features[op.A];
                    var deduction = await credits.DeductCreditsAsync(user, feature, model, "model prompt", idempotencyKey: key);
                    return new Outcome(deduction.Success, deduction.IsReplay, deduction.TransactionId);
                case OpKind.TransferOut or OpKind.TransferIn:
                    var (from, to) = op.Kind == OpKind.TransferOut ? (user, peer) : (peer, user);
                    var transfer = await credits.TransferCreditsAsync(from, to, op.A, "model transfer", key);
                    return new Outcome(transfer.Success, transfer.IsReplay, transfer.TransferOutId);
                default:
                    var adjustment = await credits.AdjustCreditsAsync(user, op.A, "model correction", "model", key);
                    return new Outcome(adjustment.Success, adjustment.IsReplay, adjustment.TransactionId);
            }
        }

        private static (long, long) Trim((long Balance, long Sum, int Rows) ledger) => (ledger.Balance, ledger.Sum);
    }

    private sealed record Outcome(bool Success, bool IsReplay, Guid? TransactionId);
}

public sealed class SqliteFaultedLedgerModelTests(SqliteCreditsDatabase database) : FaultedLedgerModelTests<SqliteCreditsDatabase>(database);

public sealed class PostgresFaultedLedgerModelTests(PostgresCreditsDatabase database) : FaultedLedgerModelTests<PostgresCreditsDatabase>(database);
