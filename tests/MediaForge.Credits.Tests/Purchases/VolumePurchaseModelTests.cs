using CsCheck;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// Model-based property test of volume purchases: random sequences of starts (N packs or a custom amount of pro or
/// enterprise), paid deliveries (honest, or with the amount, credits or quantity changed) and repeated deliveries, on a
/// real database. A reference model prices every purchase on its own (decimal arithmetic, the tier table written out
/// here, half away from zero) and tracks the balance. After every step: each pending row holds the model's price, the
/// balance is the model's and equals the ledger, and only honest first deliveries grant. A failure prints the CsCheck
/// seed; set <c>CsCheck_Seed</c> to replay it.
/// </summary>
public abstract class VolumePurchaseModelTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    /// <summary>The reference catalogue: credits, price, and the tiers as (from credits, percent off).</summary>
    private static readonly Dictionary<string, (long Credits, long Price, (long From, decimal Off)[] Tiers)> Catalogue = new()
    {
        ["pro"] = (200, 2999, [(1000, 5m), (5000, 10m)]),
        ["enterprise"] = (1000, 9999, [(5000, 10m), (20000, 15m)]),
    };

    /// <summary>What a delivery of a paid session carries: the server's figures, or one of them changed.</summary>
    public enum Delivery { Honest, AmountLowered, CreditsRaised, QuantityChanged }

    /// <summary>A step: start a purchase (pro or enterprise; packs, or a custom amount above the pack's credits), or deliver a payment of one.</summary>
    public abstract record Step;

    public sealed record Start(bool Enterprise, int Packs, long? ExtraCredits) : Step;

    public sealed record Pay(int Index, Delivery Delivery) : Step;

    private static readonly Gen<Step> StepGen = Gen.Frequency(
    [
        (3, Gen.Select(Gen.Bool, Gen.Int[1, 30], (e, n) => (Step)new Start(e, n, null))),
        (2, Gen.Select(Gen.Bool, Gen.Long[0, 25_000], (e, c) => (Step)new Start(e, 1, c))),
        (6, Gen.Int[0, 9].Select(i => (Step)new Pay(i, Delivery.Honest))),
        (3, Gen.Select(Gen.Int[0, 9], Gen.Enum<Delivery>(), (i, d) => (Step)new Pay(i, d))),
    ]);

    private static decimal ReferencePrice(string package, long credits)
    {
        var (packCredits, price, tiers) = Catalogue[package];
        var off = tiers.Where(t => credits >= t.From).Select(t => t.Off).DefaultIfEmpty(0m).Max();
        return Math.Round(credits * price / (decimal)packCredits * (100m - off) / 100m, 0, MidpointRounding.AwayFromZero);
    }

    [Fact]
    public async Task RandomVolumePurchaseSequences_MatchTheReferencePricesAndBalanceAfterEveryStep()
    {
        await StepGen.Array[3, 25].SampleAsync(RunSequenceAsync, iter: 20, threads: 1, print: steps => string.Join(" ", steps.Select(s => s.ToString())));
    }

    private async Task RunSequenceAsync(Step[] steps)
    {
        var user = "user_" + Guid.NewGuid().ToString("N");
        var purchases = new List<ModelPurchase>();
        long balance = 0;
        for (var i = 0; i < steps.Length; i++)
        {
            var where = $"step {i} {steps[i]}";
            await using var scope = database.Services.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>();
            if (steps[i] is Start start)
            {
                purchases.Add(await StartAsync(service, user, start, where));
            }
            else if (steps[i] is Pay pay && purchases.Count > 0)
            {
                var paid = purchases[pay.Index % purchases.Count];
                var (amount, credits, quantity) = pay.Delivery switch
                {
                    Delivery.AmountLowered => (paid.Amount - 1, paid.Credits, paid.Quantity),
                    Delivery.CreditsRaised => (paid.Amount, paid.Credits + 1, paid.Quantity),
                    Delivery.QuantityChanged => (paid.Amount, paid.Credits, (paid.Quantity ?? 0) + 1),
                    _ => (paid.Amount, paid.Credits, paid.Quantity),
                };
                var result = await service.CompletePurchaseAsync(paid.Session, amount, "usd", paid.Package, null, credits, quantity);
                var expected = paid.Granted ? PurchaseFulfilmentOutcome.AlreadyCompleted
                    : pay.Delivery == Delivery.Honest ? PurchaseFulfilmentOutcome.Completed : PurchaseFulfilmentOutcome.Mismatch;
                Assert.True(result.Outcome == expected, $"{where}: {result.Outcome}, model {expected}");
                if (expected == PurchaseFulfilmentOutcome.Completed)
                {
                    balance += paid.Credits;
                    paid.Granted = true;
                }
            }

            var (stored, ledger, _) = await database.ReadLedgerAsync(user);
            Assert.True(stored == balance && ledger == balance, $"after {where}: balance {stored}, ledger {ledger}, model {balance}");
            await database.WithContextAsync(async db =>
            {
                var granted = await db.Purchases.AsNoTracking().CountAsync(p => p.UserId == user && p.TransactionId != null);
                Assert.True(granted == purchases.Count(p => p.Granted), $"after {where}: {granted} purchases granted, model {purchases.Count(p => p.Granted)}");
            });
        }
    }

    /// <summary>Starts the purchase and checks that the row holds the model's credits and price.</summary>
    private static async Task<ModelPurchase> StartAsync(ICreditPurchaseService service, string user, Start start, string where)
    {
        var package = start.Enterprise ? "enterprise" : "pro";
        var custom = start.ExtraCredits is { } extra ? Catalogue[package].Credits + extra : (long?)null;
        var started = await service.StartVolumePurchaseAsync(user, package, start.Packs, custom, "stripe");
        var credits = custom ?? start.Packs * Catalogue[package].Credits;
        Assert.True(started.Credits == credits && started.AmountCents == ReferencePrice(package, credits),
            $"{where}: {started.Credits} credits for {started.AmountCents}, model {credits} for {ReferencePrice(package, credits)}");
        var session = "cs_model_" + Guid.NewGuid().ToString("N");
        await service.AttachSessionAsync(started.Id, session);
        return new ModelPurchase(session, package, custom is null ? start.Packs : null, credits, started.AmountCents);
    }

    private sealed record ModelPurchase(string Session, string Package, int? Quantity, long Credits, long Amount)
    {
        public bool Granted { get; set; }
    }
}

public sealed class SqliteVolumePurchaseModelTests(SqliteCreditsDatabase database) : VolumePurchaseModelTests<SqliteCreditsDatabase>(database);

public sealed class PostgresVolumePurchaseModelTests(PostgresCreditsDatabase database) : VolumePurchaseModelTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbVolumePurchaseModelTests(MariaDbCreditsDatabase database) : VolumePurchaseModelTests<MariaDbCreditsDatabase>(database);
