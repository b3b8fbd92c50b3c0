using MediaForge.Credits.Entities;
using MediaForge.Credits.Gifts;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// One sequence of the faulted model test on its own services and clock: each step prepared, delivered with its fault
/// armed, retried when it threw, delivered twice more at once when asked; after every step the database must be the
/// model (balances, Σ ledger, ledger rows, held credits == Σ pending gifts, gift and referral statuses, transfer rows
/// summing to zero). At the end every key is sent again and must replay its first outcome, and the pending gifts are
/// cancelled so no later sequence's sweep meets them.
/// </summary>
internal sealed class FaultedLedgerSequence
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly CreditsDatabase database;
    private readonly CommitFault fault;
    private readonly FaultedLedgerCoverage coverage;
    private readonly string user = "model_" + Guid.NewGuid().ToString("N");
    private readonly string peer = "model_peer_" + Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, (FaultedOp Op, StepArgs Args, Guid? Id)> keys = [];
    private readonly FakeTimeProvider clock = new(Start);
    private readonly FaultedLedgerModel model = new(Start);
    private readonly FaultedLedgerCalls calls;
    private readonly IServiceProvider unfaulted;
    private readonly BurnOrderModel burn = new();

    public FaultedLedgerSequence(CreditsDatabase database, CommitFault fault, FaultedLedgerCoverage coverage, bool coalesce)
    {
        (this.database, this.fault, this.coverage) = (database, fault, coverage);
        var services = database.BuildServices(database.ConnectionString, o =>
        {
            o.CoalesceDeductions = coalesce;
            o.Gifts.Enabled = true;
            o.Gifts.RedeemAttemptsPerWindow = 10_000;
            o.Referrals.Enabled = true;
            o.Referrals.RefereeBonus = FaultedLedgerModel.RefereeBonus;
            o.Referrals.ReferrerReward = FaultedLedgerModel.ReferrerReward;
            o.Referrals.MonthlyRewardCap = FaultedLedgerModel.MonthlyRewardCap;
        }, clock, o => o.AddInterceptors(fault, fault.Commands));
        calls = new FaultedLedgerCalls(services, clock, user, peer);
        unfaulted = database.BuildServices(database.ConnectionString, time: clock);
    }

    public async Task RunAsync(FaultedOp[] ops)
    {
        await calls.StartAsync();
        for (var step = 0; step < ops.Length; step++)
        {
            var op = ops[step];
            var key = op.Keyed ? $"{op.Kind}-{step}" : null;
            await StepAsync(op, key, $"step {step} {op}");
        }

        model.Now = clock.GetUtcNow();
        foreach (var (key, (op, args, id)) in keys)
        {
            if (args.Expiry <= model.Now.UtcDateTime)
            {
                // A gift's expiry is checked before its key: once it is past, the request is refused as an argument.
                await Assert.ThrowsAsync<ArgumentException>(() => calls.ApplyAsync(op, args, key));
                continue;
            }

            var replay = await calls.ApplyAsync(op, args, key);
            Assert.True(replay.Success && replay.IsReplay && replay.Id == id, $"replay of {key}: {replay}");
            await TakeCodesAsync(op, id, [replay]);
        }

        await AssertModelAsync("after the replays");
        foreach (var gift in model.Gifts.Where(g => g.Status == CreditGiftStatus.Pending))
        {
            var ended = await calls.ApplyAsync(new FaultedOp(FaultedOpKind.GiftCancel, 0, CommitFaultKind.None, false, false), new StepArgs(Gift: gift, GiftId: gift.Id), null);
            gift.Status = ended.Success ? CreditGiftStatus.Cancelled : CreditGiftStatus.Expired;
        }

        await AssertModelAsync("after cancelling the pending gifts");
        Assert.Equal(0, model.Reserved);
    }

    private async Task StepAsync(FaultedOp op, string? key, string where)
    {
        model.Now = clock.GetUtcNow();
        var args = await calls.PrepareAsync(op, model);
        var expected = model.Expect(op, args);
        var newBuyer = args.Buyer ?? args.Referee?.Id;
        var before = await SnapshotAsync(newBuyer);
        var struck = fault.Struck;
        fault.Arm(op.Fault);
        FaultedOutcome? outcome;
        try
        {
            outcome = await calls.ApplyAsync(op, args, key);
        }
        catch (SimulatedDbException)
        {
            outcome = null;
        }

        fault.Arm(CommitFaultKind.None);
        var hit = fault.Struck > struck;
        if (op.Kind == FaultedOpKind.GiftSweep && hit && op.Fault == CommitFaultKind.CommitNeverArrived)
        {
            // The sweep logs a gift it could not end and goes on; the next sweep ends it.
            outcome = await calls.ApplyAsync(op, args, key);
        }

        var answer = expected.Answer;
        if (outcome is null)
        {
            Assert.True(op.Fault is CommitFaultKind.CommitNeverArrived or CommitFaultKind.AcknowledgementLost, $"{where}: threw with fault {op.Fault}");
            if (op.Fault == CommitFaultKind.CommitNeverArrived)
            {
                Assert.True(before == await SnapshotAsync(newBuyer), $"{where}: threw before its commit but changed the database");
            }
            else if (expected.Success && !Settles(op.Kind))
            {
                // Applied, and nothing settled it: the caller's retry must find it done.
                answer = FaultedLedgerModel.AgainAnswer(op, answer);
            }
            else
            {
                Assert.False(expected.Success, $"{where}: applied, but its lost acknowledgement was not settled");
            }

            outcome = await calls.ApplyAsync(op, args, key);
        }

        Assert.True(outcome.Success == expected.Success && outcome.Answer == answer && !outcome.IsReplay,
            $"{where}: {outcome}, expected {answer}; model balance {model.User}, held {model.Reserved}");
        coverage.Ran(op, hit, outcome.Success);
        Assert.True(op.Kind != FaultedOpKind.GiftRedeem || !outcome.Success || outcome.Redeemed == args.Gift!.Amount, $"{where}: redeemed {outcome.Redeemed}");
        expected.Apply(outcome);
        if (outcome.Success && key is not null)
        {
            keys[key] = (op, args, outcome.Id);
        }

        await AssertModelAsync(where);
        if (op.Twice)
        {
            await DuplicateAsync(op, args, key, outcome, where);
        }
    }

    /// <summary>The same request delivered twice at once after its first delivery: both find it done, nothing moves.</summary>
    private async Task DuplicateAsync(FaultedOp op, StepArgs args, string? key, FaultedOutcome first, string where)
    {
        var before = await SnapshotAsync(null);
        var results = await Task.WhenAll(calls.ApplyAsync(op, args, key), calls.ApplyAsync(op, args, key));

        if (key is not null && keys.TryGetValue(key, out var stored))
        {
            Assert.All(results, r => Assert.True(r.Success && r.IsReplay && r.Id == stored.Id, $"{where} twice: {r}"));
            await TakeCodesAsync(op, stored.Id, results);
        }
        else if (key is null)
        {
            var again = FaultedLedgerModel.AgainAnswer(op, first.Answer);
            Assert.All(results, r => Assert.True(r.Answer == again && !r.IsReplay, $"{where} twice: {r}, expected {again}"));
        }

        Assert.True(before == await SnapshotAsync(null), $"{where}: a duplicate delivery changed the database");
        await AssertModelAsync(where + " twice");
    }

    /// <summary>Replays of a gift's creation issue fresh codes while it is pending: exactly one of them is its code now.</summary>
    private async Task TakeCodesAsync(FaultedOp op, Guid? giftId, FaultedOutcome[] replays)
    {
        var gift = model.Gifts.SingleOrDefault(g => g.Id == giftId);
        var codes = replays.Select(r => r.Code).OfType<string>().ToList();
        if (op.Kind != FaultedOpKind.GiftCreate || gift is null || codes.Count == 0)
        {
            return;
        }

        var hash = (await ReadAsync(db => db.Set<CreditGiftRow>().AsNoTracking().Where(g => g.Id == giftId).Select(g => g.CodeHash).SingleAsync()))!;
        var current = Assert.Single(codes, c => CreditGiftCodes.TryHash(c) == hash);
        foreach (var code in codes.Where(c => c != current).Append(current))
        {
            gift.Replace(code);
        }
    }

    /// <summary>Operations whose failed commit is settled by looking them up (a lost acknowledgement answers success, never throws).</summary>
    private static bool Settles(FaultedOpKind kind) => kind is not (FaultedOpKind.ReferralAttach or FaultedOpKind.ReferralPurchase);

    private async Task AssertModelAsync(string where)
    {
        var now = await SnapshotAsync(null);
        var expected = new Snapshot(model.User, model.User, model.UserRows, model.Reserved, model.Peer, model.Peer, 0, 0,
            string.Join(",", model.Gifts.OrderBy(g => g.Id).Select(g => g.Status)),
            string.Join(",", model.Referees.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => $"{r.Balance}/{r.Balance}/{r.Status}")));
        Assert.True(now == expected, $"{where}:\n database {now}\n model    {expected}");
        await burn.CheckAsync(unfaulted, where, user, peer);
    }

    /// <summary>The database as the model sees it (the model's buyers and <paramref name="newBuyer"/>), read outside the faulted services.</summary>
    private async Task<Snapshot> SnapshotAsync(string? newBuyer) => (await ReadAsync(async db =>
    {
        var buyers = model.Referees.Select(r => r.Id).Append(newBuyer).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.UserId == user || a.UserId == peer).ToDictionaryAsync(a => a.UserId, a => (a.Balance, a.Reserved));
        var rows = await db.Transactions.AsNoTracking().Where(t => t.UserId == user || t.UserId == peer).Select(t => new { t.UserId, t.Amount, t.Type, t.Reference }).ToListAsync();
        var gifts = await db.Set<CreditGiftRow>().AsNoTracking().Where(g => g.SenderId == user).OrderBy(g => g.Id).Select(g => g.Status).ToListAsync();
        var balances = await db.Accounts.AsNoTracking().Where(a => buyers.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, a => a.Balance);
        var sums = await db.Transactions.AsNoTracking().Where(t => buyers.Contains(t.UserId)).GroupBy(t => t.UserId)
            .Select(g => new { g.Key, Sum = g.Sum(t => t.Amount) }).ToDictionaryAsync(g => g.Key, g => g.Sum);
        var statuses = await db.Referrals.AsNoTracking().Where(r => buyers.Contains(r.RefereeId) && r.ReferrerId == user)
            .ToDictionaryAsync(r => r.RefereeId, r => r.Status);
        var (userBalance, userReserved) = accounts.GetValueOrDefault(user);
        var (peerBalance, peerReserved) = accounts.GetValueOrDefault(peer);
        // A transfer in is one operation whatever the number of its rows (one per category and expiry taken from the sender).
        var userOperations = rows.Count(r => r.UserId == user && r.Type != CreditTransactionType.TransferIn)
            + rows.Where(r => r.UserId == user && r.Type == CreditTransactionType.TransferIn).Select(r => r.Reference).Distinct().Count();
        return new Snapshot(userBalance, rows.Where(r => r.UserId == user).Sum(r => r.Amount), userOperations, userReserved,
            peerBalance, rows.Where(r => r.UserId == peer).Sum(r => r.Amount), peerReserved,
            rows.Where(r => r.Type is CreditTransactionType.TransferIn or CreditTransactionType.TransferOut).Sum(r => r.Amount),
            string.Join(",", gifts),
            string.Join(",", buyers.Select(b => $"{balances.GetValueOrDefault(b)}/{sums.GetValueOrDefault(b)}/{(statuses.TryGetValue(b, out var s) ? s : null)}")));
    }))!;

    private async Task<T?> ReadAsync<T>(Func<CreditsDbContext, Task<T>> read)
    {
        T? result = default;
        await database.WithContextAsync(async db => result = await read(db));
        return result;
    }

    /// <summary>
    /// What the model compares: the user's balance, Σ ledger, ledger rows and held credits; the peer's balance, Σ ledger
    /// and held credits; Σ of both users' transfer rows; the user's gifts' statuses; each buyer's balance/Σ ledger/status.
    /// </summary>
    private sealed record Snapshot(long User, long UserSum, int UserRows, long UserReserved, long Peer, long PeerSum, long PeerReserved,
        long TransferSum, string Gifts, string Buyers);
}
