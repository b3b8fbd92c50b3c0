using MediaForge.Credits.Entities;

namespace MediaForge.Credits.Tests.Torture;

/// <summary>
/// What <see cref="FaultedLedgerModelTests{TDatabase}"/> expects: the user's and the peer's balances and ledger rows,
/// the user's gifts (the held credits are the pending ones), the referees the user brought and their balances, and the
/// rewards of each month. <see cref="Expect"/> tells the answer of an operation and what it changes once applied.
/// </summary>
internal sealed class FaultedLedgerModel(DateTimeOffset start)
{
    public const long PeerStart = 60;

    public const long RefereeBonus = 10;

    public const long ReferrerReward = 25;

    public const int MonthlyRewardCap = 2;

    /// <summary>The Pro pack: 200 credits for 2999 cents.</summary>
    public const long PackCredits = 200;

    private static readonly (string Feature, string Model, long Price)[] FeatureList =
        [("image-generation", "default", 3), ("map-animation", "hailuo", 5), ("video-generation", "hailuo", 8), ("video-generation", "veo2", 15)];

    private readonly Dictionary<DateTime, int> rewards = [];

    public static IReadOnlyList<(string Feature, string Model, long Price)> Features => FeatureList;

    public DateTimeOffset Now { get; set; } = start;

    public long User { get; private set; }

    public int UserRows { get; private set; }

    public long Peer { get; private set; } = PeerStart;

    public List<ModelGift> Gifts { get; } = [];

    public List<ModelReferee> Referees { get; } = [];

    /// <summary>The user's held credits: every pending gift, lapsed ones too until something ends them.</summary>
    public long Reserved => Gifts.Where(g => g.Status == CreditGiftStatus.Pending).Sum(g => g.Amount);

    public long Spendable => User - Reserved;

    private DateTime UtcNow => Now.UtcDateTime;

    /// <summary>The answer the first delivery of <paramref name="op"/> gets, and what it changes when it applies.</summary>
    public Expected Expect(FaultedOp op, StepArgs args)
    {
        switch (op.Kind)
        {
            case FaultedOpKind.Grant:
                return Ledger(true, op.A);
            case FaultedOpKind.Deduct:
                return Ledger(Spendable >= Features[op.A].Price, -Features[op.A].Price);
            case FaultedOpKind.Adjust:
                return Ledger(op.A > 0 || Spendable >= -op.A, op.A);
            case FaultedOpKind.TransferOut:
                return Ledger(Spendable >= op.A, -op.A, peer: op.A);
            case FaultedOpKind.TransferIn:
                return Ledger(Peer >= op.A, op.A, peer: -op.A);
            case FaultedOpKind.GiftCreate:
                return ExpectCreate(op.A, args.Expiry);
            case FaultedOpKind.GiftRedeem:
                var redeemable = args.Gift is { Status: CreditGiftStatus.Pending } g && g.ExpiresAt > UtcNow && args.Code == g.Code;
                return new Expected(redeemable, redeemable ? "None" : "InvalidCode", _ =>
                {
                    if (redeemable)
                    {
                        args.Gift!.Status = CreditGiftStatus.Redeemed;
                        (User, Peer, UserRows) = (User - args.Gift.Amount, Peer + args.Gift.Amount, UserRows + 1);
                    }
                });
            case FaultedOpKind.GiftCancel:
                return ExpectCancel(args.Gift);
            case FaultedOpKind.GiftSweep:
                return new Expected(true, "ok", _ => Lapse(Gifts));
            case FaultedOpKind.GiftReissue:
                var live = args.Gift is { Status: CreditGiftStatus.Pending } pending && pending.ExpiresAt > UtcNow;
                return new Expected(live, args.Gift is null ? "NotFound" : live ? "None" : "NotPending", outcome =>
                {
                    if (live)
                    {
                        args.Gift!.Replace(outcome.Code!);
                    }
                });
            case FaultedOpKind.Later:
                return new Expected(true, "ok", _ => { });
            case FaultedOpKind.ReferralAttach:
                return new Expected(true, "Attached", _ => Referees.Add(new ModelReferee(args.Buyer!, RefereeBonus, CreditReferralStatus.Attached)));
            default:
                return ExpectPurchase(args.Referee!);
        }
    }

    /// <summary>The answer of a delivery after the first applied (a retry after a lost acknowledgement, a duplicate).</summary>
    public static string AgainAnswer(FaultedOp op, string first) => op.Kind switch
    {
        FaultedOpKind.GiftRedeem => "InvalidCode",
        FaultedOpKind.GiftCancel => first == "NotFound" ? "NotFound" : "NotPending",
        FaultedOpKind.ReferralAttach => "AlreadyAttached",
        FaultedOpKind.ReferralPurchase => "AlreadyCompleted",
        _ => first,
    };

    private Expected Ledger(bool success, long delta, long peer = 0) => new(success, success ? "ok" : "refused", _ =>
    {
        if (success)
        {
            (User, Peer, UserRows) = (User + delta, Peer + peer, UserRows + 1);
        }
    });

    private Expected ExpectCreate(long amount, DateTime? expiry)
    {
        // Refused at first: the user's lapsed gifts are written (their credits count again), then it is tried once more.
        var lapsed = Spendable >= amount ? [] : Gifts.Where(g => g.Status == CreditGiftStatus.Pending && g.ExpiresAt <= UtcNow).ToList();
        var held = Spendable + lapsed.Sum(g => g.Amount) >= amount;
        return new Expected(held, held ? "None" : "InsufficientCredits", outcome =>
        {
            Lapse(lapsed);
            if (held)
            {
                Gifts.Add(new ModelGift(outcome.Id!.Value, amount, expiry ?? UtcNow.AddDays(30), outcome.Code!));
            }
        });
    }

    private Expected ExpectCancel(ModelGift? gift)
    {
        var pending = gift?.Status == CreditGiftStatus.Pending;
        var cancelled = pending && gift!.ExpiresAt > UtcNow;
        return new Expected(cancelled, gift is null ? "NotFound" : cancelled ? "None" : "NotPending", _ =>
        {
            if (pending)
            {
                // Past its expiry the expiry wins: the gift ends as expired.
                gift!.Status = cancelled ? CreditGiftStatus.Cancelled : CreditGiftStatus.Expired;
            }
        });
    }

    private Expected ExpectPurchase(ModelReferee referee) => new(true, "Completed", _ =>
    {
        if (!Referees.Contains(referee))
        {
            Referees.Add(referee);
        }

        referee.Balance += PackCredits;
        if (referee.Status != CreditReferralStatus.Attached)
        {
            return;
        }

        var month = new DateTime(UtcNow.Year, UtcNow.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var count = rewards.GetValueOrDefault(month);
        referee.Status = count < MonthlyRewardCap ? CreditReferralStatus.Rewarded : CreditReferralStatus.CapReached;
        if (referee.Status == CreditReferralStatus.Rewarded)
        {
            rewards[month] = count + 1;
            (User, UserRows) = (User + ReferrerReward, UserRows + 1);
        }
    });

    /// <summary>Ends the pending gifts of <paramref name="gifts"/> past their expiry.</summary>
    private void Lapse(IEnumerable<ModelGift> gifts)
    {
        foreach (var gift in gifts.Where(g => g.Status == CreditGiftStatus.Pending && g.ExpiresAt <= UtcNow))
        {
            gift.Status = CreditGiftStatus.Expired;
        }
    }
}

/// <summary>The expected answer of an operation and what it changes in the model (given the operation's outcome) once applied.</summary>
internal sealed record Expected(bool Success, string Answer, Action<FaultedOutcome> Apply);

/// <summary>A gift as the model knows it: its current code and the codes that no longer work.</summary>
internal sealed class ModelGift(Guid id, long amount, DateTime expiresAt, string code)
{
    public Guid Id => id;

    public long Amount => amount;

    public DateTime ExpiresAt => expiresAt;

    public CreditGiftStatus Status { get; set; } = CreditGiftStatus.Pending;

    public string Code { get; private set; } = code;

    public List<string> Stale { get; } = [];

    public void Replace(string code)
    {
        Stale.Add(Code);
        Code = code;
    }
}

/// <summary>A buyer: a referee of the user (with the referral's status), or a user nobody referred (no status).</summary>
internal sealed class ModelReferee(string id, long balance, CreditReferralStatus? status)
{
    public string Id => id;

    public long Balance { get; set; } = balance;

    public CreditReferralStatus? Status { get; set; } = status;
}
