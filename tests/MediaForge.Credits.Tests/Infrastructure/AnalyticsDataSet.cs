using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// A known month of activity (March 2025, UTC), written through the real services on a fake clock so every row has a
/// chosen timestamp. The totals the analytics tests assert are derived in the comments below.
/// <list type="bullet">
/// <item>alice: starter (50 free) 03-03 08:00; hailuo 8 at 09:15 and 09:45, image 3 at 23:30 (03-03); Pro bought 03-04 (2999 usd); veo2 15 x3 on 03-05 12:00 → 64 consumed (50 free, 14 paid).</item>
/// <item>bob: starter 03-03; map-animation/hailuo 5 x4 on 03-10 14:00 → 20 (all free).</item>
/// <item>carol (unlimited admin): veo2 x2 on 03-04 11:00 → 2 unlimited uses worth 30.</item>
/// <item>dave: adjustment 100 on 02-20; image 3 on 02-28 23:00 (before); hailuo 8 on 03-31 23:00; image 3 on 04-01 00:00 (after) → 8 paid in March. Checkouts: Pro 03-06 failed, Enterprise 03-07 expired, Pro 03-08 pending.</item>
/// <item>erin: Enterprise 03-10 09:00, completed 09:05 (9999 usd); refund of 15 credits 03-12.</item>
/// <item>frank: Pro 03-11, completed, then refunded (status Refunded).</item>
/// <item>gina: Pro EUR (2799 eur) 03-20, completed.</item>
/// </list>
/// March: 11 paid uses, 92 credits, 3 active users; 7 checkouts, 3 completed; revenue 12998 usd (2) and 2799 eur (1).
/// </summary>
public static class AnalyticsDataSet
{
    public const string ProEurPackageId = "pro-eur";
    public const string Admin = "carol";

    public static readonly DateTimeOffset March = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset April = new(2025, 4, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The options the data set needs: the unlimited admin and a EUR package.</summary>
    public static void Configure(CreditsOptions options, string prefix = "")
    {
        options.AdminUserIds.Add(prefix + Admin);
        if (!options.DefaultPackages.Any(p => p.Id == ProEurPackageId))
        {
            options.DefaultPackages.Add(new CreditPackage { Id = ProEurPackageId, Name = "Pro (EUR)", Credits = 200, PriceCents = 2799, Currency = "eur", SortOrder = 3 });
        }
    }

    /// <summary>Writes the month through <paramref name="services"/> (built with <see cref="Configure"/> and <paramref name="time"/>).</summary>
    public static async Task SeedAsync(IServiceProvider services, FakeTimeProvider time, string prefix = "")
    {
        await services.InitializeCreditsAsync(createSchema: true);
        string U(string name) => prefix + name;

        // Steps run in time order (the fake clock only moves forward), whatever order they are listed in.
        var steps = new List<(DateTimeOffset When, Func<IServiceProvider, Task> Action)>();
        var purchaseIds = new Dictionary<string, Guid>();

        Task At(DateTimeOffset when, Func<IServiceProvider, Task> action)
        {
            steps.Add((when, action));
            return Task.CompletedTask;
        }

        Task Deduct(DateTimeOffset when, string user, string feature, string model) => At(when, async s =>
        {
            var result = await s.GetRequiredService<ICreditService>().DeductCreditsAsync(U(user), feature, model);
            if (!result.Success)
            {
                throw new InvalidOperationException($"Seed deduction failed for {user}: {result.Error}");
            }
        });

        Task Claim(DateTimeOffset when, string user) =>
            At(when, s => s.GetRequiredService<ICreditPurchaseService>().ClaimFreePackageAsync(U(user), CreditsDefaults.StarterPackageId));

        Task<string> Checkout(DateTimeOffset when, string user, string package, string session)
        {
            At(when, async s =>
            {
                var purchases = s.GetRequiredService<ICreditPurchaseService>();
                var purchase = await purchases.StartPurchaseAsync(U(user), package, "stripe");
                await purchases.AttachSessionAsync(purchase.Id, prefix + session);
                purchaseIds[session] = purchase.Id;
            });
            return Task.FromResult(session);
        }

        Task Complete(DateTimeOffset when, string session, long amount, string currency) =>
            At(when, async s =>
            {
                var result = await s.GetRequiredService<ICreditPurchaseService>().CompletePurchaseAsync(prefix + session, amount, currency);
                if (result.Outcome != PurchaseFulfilmentOutcome.Completed)
                {
                    throw new InvalidOperationException($"Seed purchase {session} not completed: {result.Outcome}");
                }
            });

        static DateTimeOffset D(int month, int day, int hour, int minute = 0) => new(2025, month, day, hour, minute, 0, TimeSpan.Zero);

        // alice
        await Claim(D(3, 3, 8), "alice");
        await Deduct(D(3, 3, 9, 15), "alice", "video-generation", "hailuo");
        await Deduct(D(3, 3, 9, 45), "alice", "video-generation", "hailuo");
        await Deduct(D(3, 3, 23, 30), "alice", "image-generation", "default");
        await Checkout(D(3, 4, 9, 50), "alice", "pro", "cs_alice_pro");
        await Complete(D(3, 4, 10), "cs_alice_pro", 2999, "usd");
        for (var i = 0; i < 3; i++)
        {
            await Deduct(D(3, 5, 12, i), "alice", "video-generation", "veo2");
        }

        // bob
        await Claim(D(3, 3, 8, 30), "bob");
        for (var i = 0; i < 4; i++)
        {
            await Deduct(D(3, 10, 14, i), "bob", "map-animation", "hailuo");
        }

        // carol, unlimited
        await Deduct(D(3, 4, 11), Admin, "video-generation", "veo2");
        await Deduct(D(3, 4, 11, 1), Admin, "video-generation", "veo2");

        // dave
        await At(D(2, 20, 12), s => s.GetRequiredService<ICreditService>().AddCreditsAsync(U("dave"), 100, CreditTransactionType.Adjustment, "goodwill"));
        await Deduct(D(2, 28, 23), "dave", "image-generation", "default");
        await Deduct(D(3, 31, 23), "dave", "video-generation", "hailuo");
        await Deduct(D(4, 1, 0), "dave", "image-generation", "default");
        var failed = await Checkout(D(3, 6, 10), "dave", "pro", "cs_dave_failed");
        await At(D(3, 6, 10, 5), s => s.GetRequiredService<ICreditPurchaseService>().FailPurchaseAsync(purchaseIds[failed], "card declined"));
        await Checkout(D(3, 7, 10), "dave", "enterprise", "cs_dave_expired");
        await At(D(3, 8, 10), s => s.GetRequiredService<ICreditPurchaseService>().ExpirePurchaseAsync(prefix + "cs_dave_expired"));
        await Checkout(D(3, 8, 11), "dave", "pro", "cs_dave_pending");

        // erin
        await Checkout(D(3, 10, 9), "erin", "enterprise", "cs_erin_ent");
        await Complete(D(3, 10, 9, 5), "cs_erin_ent", 9999, "usd");
        await At(D(3, 12, 9), s => s.GetRequiredService<ICreditService>().AddCreditsAsync(U("erin"), 15, CreditTransactionType.Refund, "failed job"));

        // frank: completed, then refunded
        var refunded = await Checkout(D(3, 11, 9), "frank", "pro", "cs_frank_pro");
        await Complete(D(3, 11, 9, 5), "cs_frank_pro", 2999, "usd");
        await At(D(3, 13, 9), async s =>
        {
            var id = purchaseIds[refunded];
            await s.GetRequiredService<CreditsDbContext>().Purchases.Where(p => p.Id == id)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, PurchaseStatus.Refunded));
        });

        // gina: EUR
        await Checkout(D(3, 20, 9), "gina", ProEurPackageId, "cs_gina_eur");
        await Complete(D(3, 20, 9, 2), "cs_gina_eur", 2799, "eur");

        foreach (var (when, action) in steps.OrderBy(s => s.When))
        {
            time.SetUtcNow(when);
            await using var scope = services.CreateAsyncScope();
            await action(scope.ServiceProvider);
        }
    }

    /// <summary>Services with the data set's options and clock on the given database (the caller seeds with them).</summary>
    public static (ServiceProvider Services, FakeTimeProvider Time) BuildServices(CreditsDatabase database, string connectionString, string prefix = "")
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (database.BuildServices(connectionString, o => Configure(o, prefix), time), time);
    }
}
