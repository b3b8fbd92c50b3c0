using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>A kind of operation of the faulted model test.</summary>
public enum FaultedOpKind
{
    Grant,
    Deduct,
    Adjust,
    TransferOut,
    TransferIn,
    GiftCreate,
    GiftRedeem,
    GiftCancel,
    GiftSweep,
    GiftReissue,
    Later,
    ReferralAttach,
    ReferralPurchase,
}

/// <summary>One step: an operation, its argument, the fault that hits it, with or without a key, delivered again twice at once.</summary>
public readonly record struct FaultedOp(FaultedOpKind Kind, int A, CommitFaultKind Fault, bool Keyed, bool Twice)
{
    public override string ToString() => $"{Kind}({A},{Fault},{(Keyed ? "key" : "nokey")}{(Twice ? ",twice" : "")})";
}

/// <summary>What a call answered: success, replay, the id it names (ledger row, transfer, gift), its answer's name, a gift code.</summary>
internal sealed record FaultedOutcome(bool Success, bool IsReplay, Guid? Id, string Answer, string? Code = null, long Redeemed = 0);

/// <summary>The arguments of one step, chosen before its first delivery so that every delivery sends the same request.</summary>
internal sealed record StepArgs(DateTime? Expiry = null, ModelGift? Gift = null, string? Code = null, Guid GiftId = default, string? Buyer = null,
    ModelReferee? Referee = null, string? Session = null, string? Payment = null);

/// <summary>The calls of the faulted model test on the user (<c>model_…</c>), the peer, the user's referees and buyers.</summary>
internal sealed class FaultedLedgerCalls(IServiceProvider services, FakeTimeProvider clock, string user, string peer)
{
    /// <summary>A well-formed code no gift has.</summary>
    private const string UnknownCode = "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA";

    public string ReferralCode { get; private set; } = "";

    public async Task StartAsync()
    {
        await With<ICreditService, CreditTransactionResult>(c => c.AddCreditsAsync(peer, FaultedLedgerModel.PeerStart, CreditTransactionType.Purchase, "peer's pack"));
        ReferralCode = await With<ICreditReferralService, string>(r => r.GetOrCreateCodeAsync(user));
    }

    /// <summary>Chooses the step's arguments (and writes what it needs first: a referee's sign-up, a started purchase), before the fault is armed.</summary>
    public async Task<StepArgs> PrepareAsync(FaultedOp op, FaultedLedgerModel model)
    {
        var gift = model.Gifts.Count == 0 ? null : model.Gifts[Math.Abs(op.A) % model.Gifts.Count];
        switch (op.Kind)
        {
            case FaultedOpKind.GiftCreate:
                return new StepArgs(Expiry: op.A % 3 == 0 ? null : clock.GetUtcNow().UtcDateTime.AddHours(op.A % 3));
            case FaultedOpKind.GiftRedeem:
                // Now and then a code the gift had before a reissue or a replay: it no longer works.
                var code = gift is null ? UnknownCode : op.A % 4 == 3 && gift.Stale.Count > 0 ? gift.Stale[^1] : gift.Code;
                return new StepArgs(Gift: gift, Code: code);
            case FaultedOpKind.GiftCancel or FaultedOpKind.GiftReissue:
                return new StepArgs(Gift: gift, GiftId: gift?.Id ?? Guid.NewGuid());
            case FaultedOpKind.ReferralAttach:
                return new StepArgs(Buyer: await SignUpAsync("model_referee_"));
            case FaultedOpKind.ReferralPurchase:
                var buyer = model.Referees.Count == 0 ? new ModelReferee(await SignUpAsync("model_buyer_"), 0, null) : model.Referees[op.A % model.Referees.Count];
                var session = "cs_model_" + Guid.NewGuid().ToString("N");
                var purchase = await With<ICreditPurchaseService, CreditPurchaseEntry>(p => p.StartPurchaseAsync(buyer.Id, "pro", "stripe"));
                await With<ICreditPurchaseService, bool>(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
                return new StepArgs(Referee: buyer, Session: session, Payment: "pi_model_" + Guid.NewGuid().ToString("N"));
            default:
                return new StepArgs();
        }
    }

    public async Task<FaultedOutcome> ApplyAsync(FaultedOp op, StepArgs args, string? key)
    {
        switch (op.Kind)
        {
            case FaultedOpKind.Grant:
                // Every category: promotional, paid (no lot) and allowance that expires in 30 days.
                var grant = await With<ICreditService, CreditTransactionResult>(c => (op.A % 3) switch
                {
                    0 => c.AddCreditsAsync(user, op.A, CreditTransactionType.Bonus, "model grant", idempotencyKey: key),
                    1 => c.AddCreditsAsync(user, op.A, CreditTransactionType.Purchase, "model pack", idempotencyKey: key),
                    _ => c.AddExpiringCreditsAsync(user, op.A, CreditTransactionType.Bonus, "model plan", clock.GetUtcNow().AddDays(30), idempotencyKey: key,
                        category: CreditCategory.Allowance),
                });
                return new FaultedOutcome(true, grant.IsReplay, grant.TransactionId, "ok");
            case FaultedOpKind.Deduct:
                var (feature, model, _) = FaultedLedgerModel.Features[op.A];
                var deduction = await With<ICreditService, CreditDeductionResult>(c => c.DeductCreditsAsync(user, feature, model, "model prompt", idempotencyKey: key));
                return Ledger(deduction.Success, deduction.IsReplay, deduction.TransactionId);
            case FaultedOpKind.Adjust:
                var adjustment = await With<ICreditService, CreditAdjustmentResult>(c => c.AdjustCreditsAsync(user, op.A, "model correction", "model", key));
                return Ledger(adjustment.Success, adjustment.IsReplay, adjustment.TransactionId);
            case FaultedOpKind.TransferOut or FaultedOpKind.TransferIn:
                var (from, to) = op.Kind == FaultedOpKind.TransferOut ? (user, peer) : (peer, user);
                var transfer = await With<ICreditService, CreditTransferResult>(c => c.TransferCreditsAsync(from, to, op.A, "model transfer", key));
                return Ledger(transfer.Success, transfer.IsReplay, transfer.TransferOutId);
            case FaultedOpKind.GiftCreate:
                var expiry = args.Expiry is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : (DateTimeOffset?)null;
                return Gift(await With<ICreditGiftService, CreditGiftResult>(g => g.CreateGiftAsync(user, op.A, expiry, null, key)));
            case FaultedOpKind.GiftRedeem:
                return Gift(await With<ICreditGiftService, CreditGiftResult>(g => g.RedeemGiftAsync(args.Code, peer)));
            case FaultedOpKind.GiftCancel:
                return Gift(await With<ICreditGiftService, CreditGiftResult>(g => g.CancelGiftAsync(args.GiftId, user)));
            case FaultedOpKind.GiftReissue:
                return Gift(await With<ICreditGiftService, CreditGiftResult>(g => g.ReissueCodeAsync(args.GiftId, user)));
            case FaultedOpKind.GiftSweep:
                await With<ICreditGiftService, int>(g => g.ExpireGiftsAsync());
                return new FaultedOutcome(true, false, null, "ok");
            case FaultedOpKind.Later:
                clock.Advance(TimeSpan.FromMinutes(40));
                return new FaultedOutcome(true, false, null, "ok");
            case FaultedOpKind.ReferralAttach:
                var attached = await With<ICreditReferralService, CreditReferralAttachResult>(r => r.AttachReferralAsync(args.Buyer!, ReferralCode));
                return new FaultedOutcome(attached.IsAttached, false, null, attached.Outcome.ToString());
            default:
                var completed = await With<ICreditPurchaseService, PurchaseFulfilmentResult>(p => p.CompletePurchaseAsync(args.Session!, 2999, "usd", "pro", args.Payment));
                return new FaultedOutcome(completed.Outcome is PurchaseFulfilmentOutcome.Completed or PurchaseFulfilmentOutcome.AlreadyCompleted, false,
                    completed.TransactionId, completed.Outcome.ToString());
        }
    }

    private static FaultedOutcome Ledger(bool success, bool isReplay, Guid? id) => new(success, isReplay, id, success ? "ok" : "refused");

    private static FaultedOutcome Gift(CreditGiftResult result) =>
        new(result.Success, result.IsReplay, result.Gift?.Id, result.Error.ToString(), result.Code, result.Gift?.RedeemedAmount ?? 0);

    /// <summary>A new user's rows, as the Clerk webhook creates them (no e-mail).</summary>
    private async Task<string> SignUpAsync(string prefix)
    {
        var id = prefix + Guid.NewGuid().ToString("N");
        await With<MediaForge.Credits.Ledger.CreditService, bool>(async c => { await c.EnsureAccountAsync(id, CancellationToken.None); return true; });
        return id;
    }

    private async Task<T> With<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
