using CsCheck;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// Model-based property test: random sequences of grant (of every category, the host's own included, expiring or not), deduct, reserve, capture, release, refund,
/// late capture of a lapsed hold (<c>LedgerModelTests.LateCaptures.cs</c>), gift (create, redeem by a second user, cancel), clock advance and expiry sweep (holds, credits, gifts), and a team
/// (the user owns it, the peer is a member) with its pool, spending, holds, members' limits over 6-hour periods and the
/// peer's removal and return (<c>LedgerModelTests.Teams.cs</c>), and a subscription's invoices, plan changes, failures
/// and end in any order (<c>LedgerModelTests.Subscriptions.cs</c>), on a real database with a fake clock. After every step, for both users: balance == Σ ledger, spendable credits ≥ 0,
/// reserved == Σ active holds + Σ pending gifts, expiring lots never exceed the balance; credits are only minted by
/// grants (transfer rows sum to zero); every deduction, reservation and gift succeeds exactly when the spendable credits
/// read just before cover it, and a redemption or cancel exactly when the gift is pending and not expired; every lot of
/// the user, the peer and the team wallet holds what the burn rule's reference model (<see cref="BurnOrderModel"/>)
/// leaves after every debit, and the balance's split by category is the model's; the LowBalance and Depleted events of
/// the user, the peer and the team wallet are the crossings the alert model expects (<c>LedgerModelTests.Alerts.cs</c>). A failure prints the CsCheck
/// seed; set the environment variable <c>CsCheck_Seed</c> to it to replay the same sequence.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>A host's own category, between allowance and promotional.</summary>
    private static readonly CreditCategory HostCategory = CreditCategory.From("trial");

    /// <summary>The categories grants take: by the grant op's second value (even: never expires; odd: expires).</summary>
    private static readonly CreditCategory[] GrantCategories = [CreditCategory.Paid, CreditCategory.Promotional, CreditCategory.Allowance, HostCategory];

    private static readonly (string Feature, string Model, long Price)[] Features =
        [("image-generation", "default", 3), ("map-animation", "hailuo", 5), ("video-generation", "hailuo", 8), ("map-animation", "veo2", 10), ("video-generation", "veo2", 15)];

    public enum OpKind
    {
        Grant,
        Deduct,
        Reserve,
        Capture,
        Release,
        Refund,
        Advance,
        Sweep,
        Gift,
        Redeem,
        CancelGift,
        CaptureLate,
        TeamFund,
        TeamSpend,
        TeamHold,
        TeamSettle,
        TeamLimit,
        TeamMembership,
        SubscriptionPaid,
        SubscriptionChange,
        SubscriptionFailed,
        SubscriptionEnd,
        TopUpPaid,
        TopUpDeclined,
        TopUpRefunded,
        TopUpNearThreshold,
    }

    public readonly record struct Op(OpKind Kind, int A, int B)
    {
        public override string ToString() => $"{Kind}({A},{B})";
    }

    private static readonly Gen<Op> OpGen = Gen.Frequency(
    [
        (4, Gen.Select(Gen.Int[1, 30], Gen.Int[0, 7], (a, b) => new Op(OpKind.Grant, a, b))),
        (5, Gen.Int[0, 4].Select(a => new Op(OpKind.Deduct, a, 0))),
        (3, Gen.Select(Gen.Int[0, 4], Gen.Int[1, 60], (a, b) => new Op(OpKind.Reserve, a, b))),
        (2, Gen.Select(Gen.Int[0, 9], Gen.Int[0, 2], (a, b) => new Op(OpKind.Capture, a, b))),
        (2, Gen.Int[0, 9].Select(a => new Op(OpKind.Release, a, 0))),
        (1, Gen.Int[0, 9].Select(a => new Op(OpKind.Refund, a, 0))),
        (2, Gen.Int[1, 90].Select(a => new Op(OpKind.Advance, a, 0))),
        (1, Gen.Const(new Op(OpKind.Sweep, 0, 0))),
        (2, Gen.Select(Gen.Int[1, 40], Gen.Int[1, 90], (a, b) => new Op(OpKind.Gift, a, b))),
        (2, Gen.Int[0, 9].Select(a => new Op(OpKind.Redeem, a, 0))),
        (1, Gen.Int[0, 9].Select(a => new Op(OpKind.CancelGift, a, 0))),
        (5, Gen.Select(Gen.Int[0, 9], Gen.Int[0, 5], (a, b) => new Op(OpKind.CaptureLate, a, b))),
        .. TeamOps,
        .. SubscriptionOps,
        .. TopUpOps,
    ]);

    [Fact]
    public async Task RandomLifecycleSequences_KeepEveryInvariantAfterEveryStep()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var services = database.BuildServices(database.ConnectionString, o =>
        {
            o.Gifts.Enabled = true;
            o.Teams.Enabled = true;
            o.Teams.LimitPeriod = TeamModel.Period;
            o.Events.LowBalanceThreshold = AlertModel.Threshold;
            o.CategoryPriorities[HostCategory.Name] = 15;
            AddModelPlans(o);
        }, time: clock);
        await services.InitializeCreditsAsync(); // seeds the model's plans

        await OpGen.Array[5, 40].SampleAsync(
            async ops => await RunSequenceAsync(services, clock, ops),
            iter: 25,
            threads: 1,
            print: ops => string.Join(" ", ops));
    }

    private static async Task RunSequenceAsync(IServiceProvider services, FakeTimeProvider clock, Op[] ops)
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        var peer = "peer_" + Guid.NewGuid().ToString("N");
        var holds = new List<Guid>();
        var charges = new List<Guid>();
        var gifts = new List<ModelGift>();
        // Each sequence's funding policy follows from its length (so a replayed seed runs the same policy).
        var policy = (CreditTeamFundingPolicy)(ops.Length % 3);
        services.GetRequiredService<IOptions<CreditsOptions>>().Value.Teams.FundingPolicy = policy;
        var team = await TeamModel.StartAsync(services, user, peer, policy);
        var alerts = new AlertModel(user, peer, team.Account);
        var burn = new BurnOrderModel();
        var topUps = await TopUpModel.StartAsync(services, user);
        var subscription = new SubscriptionModel(user, DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds()).UtcDateTime);
        for (var step = 0; step < ops.Length; step++)
        {
            var op = ops[step];
            await using var scope = services.CreateAsyncScope();
            var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
            var reservations = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
            var giftService = scope.ServiceProvider.GetRequiredService<ICreditGiftService>();
            var before = await credits.GetBalanceAsync(user);
            var alertsBefore = await alerts.ReadAsync(services);
            switch (op.Kind)
            {
                case OpKind.Grant when op.B % 2 == 0:
                    await credits.AddCreditsAsync(user, op.A, CreditTransactionType.Purchase, "grant", category: GrantCategories[op.B / 2]);
                    break;
                case OpKind.Grant:
                    await credits.AddExpiringCreditsAsync(user, op.A, CreditTransactionType.Bonus, "expiring grant", clock.GetUtcNow().AddMinutes(op.B * 30),
                        category: GrantCategories[op.B / 2]);
                    break;
                case OpKind.Deduct:
                    var (feature, model, price) = Features[op.A];
                    var deduction = await credits.DeductCreditsAsync(user, feature, model);
                    Assert.True(deduction.Success == (before.Available >= price), $"step {step} {op}: available {before.Available}, price {price}, success {deduction.Success}");
                    if (deduction.TransactionId is { } charge)
                    {
                        charges.Add(charge);
                        topUps.AfterDebit(deduction.RemainingBalance, price, clock.GetUtcNow());
                    }

                    break;
                case OpKind.Reserve:
                    var (holdFeature, holdModel, holdPrice) = Features[op.A];
                    var hold = await reservations.ReserveCreditsAsync(user, holdFeature, holdModel, ttl: TimeSpan.FromMinutes(op.B));
                    Assert.True(hold.Success == (before.Available >= holdPrice), $"step {step} {op}: available {before.Available}, price {holdPrice}, success {hold.Success}");
                    if (hold.ReservationId is { } id)
                    {
                        holds.Add(id);
                    }

                    break;
                case OpKind.Capture when holds.Count > 0:
                    var captureId = holds[op.A % holds.Count];
                    var held = await HeldAmountAsync(services, captureId);
                    var capture = await reservations.CaptureReservationAsync(captureId, op.B == 0 ? null : held / (op.B + 1));
                    if (capture.TransactionId is { } captured)
                    {
                        charges.Add(captured);
                        topUps.AfterDebit(capture.Balance ?? 0, capture.IsReplay ? 0 : capture.CreditsCharged, clock.GetUtcNow());
                    }

                    break;
                case OpKind.Release when holds.Count > 0:
                    await reservations.ReleaseReservationAsync(holds[op.A % holds.Count]);
                    break;
                case OpKind.Refund when charges.Count > 0:
                    await credits.RefundUsageAsync(charges[op.A % charges.Count], "job failed");
                    break;
                case OpKind.Advance:
                    clock.Advance(TimeSpan.FromMinutes(op.A));
                    break;
                case OpKind.Sweep:
                    await reservations.ExpireReservationsAsync();
                    team.Swept(clock.GetUtcNow());
                    await credits.ExpireCreditsAsync();
                    // The sweep is global (earlier sequences' gifts too): at least this user's lapsed gifts, each now expired.
                    var swept = await giftService.ExpireGiftsAsync();
                    var lapsing = gifts.Where(g => g.Pending && g.ExpiresAt <= clock.GetUtcNow()).ToList();
                    Assert.True(swept >= lapsing.Count, $"step {step} {op}: swept {swept} of {lapsing.Count}");
                    foreach (var lapsed in lapsing)
                    {
                        Assert.Equal(CreditGiftStatus.Expired, await GiftStatusAsync(services, lapsed.Id));
                        lapsed.Pending = false;
                    }
                    break;
                case OpKind.Gift:
                    // The sender's own lapsed gifts are written first when the credits do not suffice: then they count too.
                    var lapsedGifts = gifts.Where(g => g.Pending && g.ExpiresAt <= clock.GetUtcNow()).Sum(g => g.Amount);
                    var gift = await giftService.CreateGiftAsync(user, op.A, clock.GetUtcNow().AddMinutes(op.B));
                    Assert.True(lapsedGifts > 0 || gift.Success == (before.Available >= op.A), $"step {step} {op}: available {before.Available}, success {gift.Success}");
                    foreach (var lapsed in gifts.Where(g => g.Pending && g.ExpiresAt <= clock.GetUtcNow()))
                    {
                        // Written as expired only when the first hold was refused.
                        lapsed.Pending = await GiftStatusAsync(services, lapsed.Id) == CreditGiftStatus.Pending;
                    }

                    if (gift.Success)
                    {
                        gifts.Add(new ModelGift(gift.Gift!.Id, gift.Code!, op.A, gift.Gift.ExpiresAt) { Pending = true });
                    }

                    break;
                case OpKind.Redeem when gifts.Count > 0:
                    var redeemed = gifts[op.A % gifts.Count];
                    var redemption = await giftService.RedeemGiftAsync(redeemed.Code, peer);
                    var redeemable = redeemed.Pending && redeemed.ExpiresAt > clock.GetUtcNow();
                    Assert.True(redemption.Success == redeemable, $"step {step} {op}: redeemable {redeemable}, {redemption.Error}");
                    redeemed.Pending &= !redemption.Success;
                    break;
                case OpKind.CancelGift when gifts.Count > 0:
                    var cancelled = gifts[op.A % gifts.Count];
                    var cancel = await giftService.CancelGiftAsync(cancelled.Id, user);
                    Assert.True(cancel.Success == (cancelled.Pending && cancelled.ExpiresAt > clock.GetUtcNow()), $"step {step} {op}: {cancel.Error}");
                    cancelled.Pending &= false;
                    break;
                case OpKind.CaptureLate:
                    // A: 0-4 an earlier hold, 5-9 a new one-minute hold of feature A - 5; even A: the job outlives its hold.
                    // B: the part charged (B % 3: all, a half, a third); B >= 3: meanwhile a new hold takes every spendable credit.
                    if ((op.A >= 5 || holds.Count == 0) && await ReserveBrieflyAsync(reservations, user, Features[op.A % 5], before.Available, $"step {step} {op}") is { } brief)
                    {
                        holds.Add(brief);
                    }

                    if (holds.Count > 0 && await CaptureLateAsync(services, clock, op.A >= 5 ? holds[^1] : holds[op.A % holds.Count], op.B % 3, outlive: op.A % 2 == 0, crowd: op.B >= 3 ? holds : null, $"step {step} {op}") is { } late)
                    {
                        charges.Add(late.TransactionId!.Value);
                        topUps.AfterDebit(late.Balance!.Value, late.CreditsCharged, clock.GetUtcNow());
                    }

                    break;
                case >= OpKind.TopUpPaid:
                    await topUps.RunAsync(scope.ServiceProvider, op, $"step {step} {op}");
                    break;
                case >= OpKind.SubscriptionPaid:
                    await subscription.RunAsync(scope.ServiceProvider, clock, op, $"step {step} {op}");
                    break;
                case >= OpKind.TeamFund:
                    await team.RunAsync(scope.ServiceProvider, clock, op, $"step {step} {op}");
                    if (team.PersonalDebit is { } own && own.Member == user)
                    {
                        topUps.AfterDebit(own.After, own.Debited, clock.GetUtcNow());
                    }

                    break;
            }

            await AssertInvariantsAsync(services, user, $"after step {step} {op}");
            await AssertInvariantsAsync(services, peer, $"after step {step} {op} (peer)");
            await AssertOnlyGrantsMintAsync(services, user, peer, $"after step {step} {op}");
            await AssertInvariantsAsync(services, team.Account, $"after step {step} {op} (team wallet)");
            await team.AssertCountsAsync(services, clock, $"after step {step} {op}");
            await burn.CheckAsync(services, $"after step {step} {op}", user, peer, team.Account);
            await alerts.CheckAsync(services, alertsBefore, mixed: op.Kind >= OpKind.SubscriptionPaid, $"after step {step} {op}");
            await topUps.CheckAsync(services, $"after step {step} {op}");
        }
    }

    /// <summary>A gift as the model knows it.</summary>
    private sealed record ModelGift(Guid Id, string Code, long Amount, DateTimeOffset ExpiresAt)
    {
        public bool Pending { get; set; }
    }
}

public sealed class SqliteLedgerModelTests(SqliteCreditsDatabase database) : LedgerModelTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLedgerModelTests(PostgresCreditsDatabase database) : LedgerModelTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbLedgerModelTests(MariaDbCreditsDatabase database) : LedgerModelTests<MariaDbCreditsDatabase>(database);
