using System.Collections.Concurrent;
using CsCheck;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// Model-based property test with faults: random sequences of grants, deductions, adjustments, transfers to and from a
/// second user, gifts (create, redeem by the second user, cancel, reissue, the expiry sweep, time passing) and
/// referrals (a referee attached with the user's code, a referee's or another buyer's paid purchase that rewards the
/// user), with or without an idempotency key, alone or through group commit, each hit at random by a lost commit
/// acknowledgement, a commit that never reached the database or a crash between two statements, and some delivered
/// twice more at once. <see cref="FaultedLedgerModel"/> keeps what must be: after every step the database is the model
/// (<see cref="FaultedLedgerSequence"/>): balance == Σ ledger == the model for every user, held credits == Σ pending
/// gifts, credits only minted by grants (transfer rows sum to zero), an operation applied exactly once when it answered
/// success, never when it threw before its commit, and a retry or a duplicate finding it done. A fixed tour first runs
/// every gift and referral operation under every fault, and the run fails unless each of them succeeded and was hit by
/// each fault at least once. A failure prints the CsCheck seed; set the environment variable <c>CsCheck_Seed</c> to it
/// to replay the same sequence.
/// </summary>
public abstract class FaultedLedgerModelTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly Gen<FaultedOp> OpGen = Gen.Select(
        Gen.Frequency(
            (2, Gen.Int[1, 40].Select(a => (FaultedOpKind.Grant, a))),
            (4, Gen.Int[0, FaultedLedgerModel.Features.Count - 1].Select(a => (FaultedOpKind.Deduct, a))),
            (1, Gen.Int[-30, 30].Where(a => a != 0).Select(a => (FaultedOpKind.Adjust, a))),
            (1, Gen.Int[1, 25].Select(a => (FaultedOpKind.TransferOut, a))),
            (1, Gen.Int[1, 25].Select(a => (FaultedOpKind.TransferIn, a))),
            (2, Gen.Int[1, 30].Select(a => (FaultedOpKind.GiftCreate, a))),
            (2, Gen.Int[0, 40].Select(a => (FaultedOpKind.GiftRedeem, a))),
            (1, Gen.Int[0, 40].Select(a => (FaultedOpKind.GiftCancel, a))),
            (1, Gen.Const((FaultedOpKind.GiftSweep, 0))),
            (1, Gen.Int[0, 40].Select(a => (FaultedOpKind.GiftReissue, a))),
            (1, Gen.Const((FaultedOpKind.Later, 0))),
            (1, Gen.Const((FaultedOpKind.ReferralAttach, 0))),
            (1, Gen.Int[0, 40].Select(a => (FaultedOpKind.ReferralPurchase, a)))),
        Gen.Enum<CommitFaultKind>(), Gen.Bool, Gen.Int[0, 4],
        (op, fault, keyed, twice) => Op(op.Item1, op.Item2, fault, keyed, twice == 0));

    private readonly FaultedLedgerCoverage coverage = new();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RandomSequencesWithFaults_ApplyEveryOperationAtMostOnce_AndKeepEveryInvariant(bool coalesce)
    {
        var fault = new CommitFault();
        foreach (var kind in new[] { CommitFaultKind.AcknowledgementLost, CommitFaultKind.CommitNeverArrived, CommitFaultKind.CrashBetweenStatements })
        {
            await new FaultedLedgerSequence(database, fault, coverage, coalesce).RunAsync(Tour(kind));
        }

        await OpGen.Array[5, 30].SampleAsync(
            async ops => await new FaultedLedgerSequence(database, fault, coverage, coalesce).RunAsync(ops),
            iter: 15,
            threads: 1,
            print: ops => string.Join(" ", ops));

        coverage.AssertEveryGiftAndReferralOperationRanUnderEveryFault();
    }

    /// <summary>Every gift and referral operation once, each succeeding, hit by <paramref name="fault"/>, some delivered twice more.</summary>
    private static FaultedOp[] Tour(CommitFaultKind fault) =>
    [
        Op(FaultedOpKind.Grant, 40, CommitFaultKind.None),
        Op(FaultedOpKind.GiftCreate, 10, fault, keyed: true, twice: true),
        Op(FaultedOpKind.GiftReissue, 0, fault),
        Op(FaultedOpKind.GiftRedeem, 0, fault, twice: true),
        Op(FaultedOpKind.GiftCreate, 7, fault),
        Op(FaultedOpKind.GiftCancel, 1, fault, twice: true),
        Op(FaultedOpKind.GiftCreate, 1, fault),
        Op(FaultedOpKind.Later, 0, fault),
        Op(FaultedOpKind.Later, 0, fault),
        Op(FaultedOpKind.GiftSweep, 0, fault),
        Op(FaultedOpKind.ReferralAttach, 0, fault, twice: true),
        Op(FaultedOpKind.ReferralPurchase, 0, fault, twice: true),
    ];

    private static FaultedOp Op(FaultedOpKind kind, int a, CommitFaultKind fault, bool keyed = false, bool twice = false) =>
        new(kind, a, fault, keyed && kind is not (FaultedOpKind.Later or FaultedOpKind.GiftSweep or FaultedOpKind.GiftReissue or FaultedOpKind.ReferralAttach
            or FaultedOpKind.ReferralPurchase or FaultedOpKind.GiftRedeem or FaultedOpKind.GiftCancel),
            twice && kind is not (FaultedOpKind.Later or FaultedOpKind.GiftSweep or FaultedOpKind.GiftReissue) && (keyed || kind > FaultedOpKind.GiftCreate));
}

/// <summary>How often each operation succeeded and each fault struck it, over a whole run.</summary>
public sealed class FaultedLedgerCoverage
{
    private static readonly FaultedOpKind[] Faulted =
        [FaultedOpKind.GiftCreate, FaultedOpKind.GiftRedeem, FaultedOpKind.GiftCancel, FaultedOpKind.GiftSweep, FaultedOpKind.ReferralAttach, FaultedOpKind.ReferralPurchase];

    private readonly ConcurrentDictionary<FaultedOpKind, int> succeeded = new();
    private readonly ConcurrentDictionary<(FaultedOpKind, CommitFaultKind), int> struck = new();

    public void Ran(FaultedOp op, bool hit, bool success)
    {
        if (success)
        {
            succeeded.AddOrUpdate(op.Kind, 1, (_, n) => n + 1);
        }

        if (hit)
        {
            struck.AddOrUpdate((op.Kind, op.Fault), 1, (_, n) => n + 1);
        }
    }

    public void AssertEveryGiftAndReferralOperationRanUnderEveryFault()
    {
        var missing = Enum.GetValues<FaultedOpKind>().Where(k => succeeded.GetValueOrDefault(k) == 0).Select(k => $"{k} never succeeded")
            .Concat(from kind in Faulted
                    from fault in new[] { CommitFaultKind.AcknowledgementLost, CommitFaultKind.CommitNeverArrived, CommitFaultKind.CrashBetweenStatements }
                    where struck.GetValueOrDefault((kind, fault)) == 0
                    select $"{kind} never hit by {fault}")
            .ToList();
        Assert.True(missing.Count == 0, string.Join("; ", missing));
    }
}

public sealed class SqliteFaultedLedgerModelTests(SqliteCreditsDatabase database) : FaultedLedgerModelTests<SqliteCreditsDatabase>(database);

public sealed class PostgresFaultedLedgerModelTests(PostgresCreditsDatabase database) : FaultedLedgerModelTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbFaultedLedgerModelTests(MariaDbCreditsDatabase database) : FaultedLedgerModelTests<MariaDbCreditsDatabase>(database);
