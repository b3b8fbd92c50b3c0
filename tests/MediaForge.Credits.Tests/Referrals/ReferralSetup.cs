using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// Referrals on one test database: services with referrals on (referee bonus 10, referrer reward 25, at most 3 rewards
/// a month unless changed), users with e-mails, paid purchases of the Pro pack (200 credits, 2999 cents) and reads.
/// </summary>
public sealed class ReferralSetup(CreditsDatabase database, Action<CreditReferralOptions>? configure = null, TimeProvider? time = null, Action<CreditsOptions>? credits = null,
    Action<DbContextOptionsBuilder>? configureContext = null, Action<IServiceCollection>? services = null)
{
    public const long Bonus = 10;

    public const long Reward = 25;

    public ServiceProvider Services { get; } = database.BuildServices(database.ConnectionString, o =>
    {
        o.Referrals.Enabled = true;
        o.Referrals.RefereeBonus = Bonus;
        o.Referrals.ReferrerReward = Reward;
        o.Referrals.MonthlyRewardCap = 3;
        configure?.Invoke(o.Referrals);
        credits?.Invoke(o);
    }, time, configureContext, services);

    public static string NewUser(string name) => $"user_{name}_{Guid.NewGuid():N}";

    public async Task<T> With<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<T> Referrals<T>(Func<ICreditReferralService, Task<T>> action) => With(action);

    public Task<string> CodeOf(string userId) => Referrals(r => r.GetOrCreateCodeAsync(userId));

    public Task<CreditReferralAttachResult> AttachAsync(string refereeId, string? code) => Referrals(r => r.AttachReferralAsync(refereeId, code));

    /// <summary>Creates the user's rows with an e-mail (as the Clerk webhook does), signed up now.</summary>
    public async Task<string> SignUpAsync(string name, string? email = null)
    {
        var user = NewUser(name);
        await With<bool, MediaForge.Credits.Ledger.CreditService>(async c => { await c.EnsureAccountAsync(user, CancellationToken.None); return true; });
        await WithContextAsync(db => db.Users.Where(u => u.Id == user).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, email)));
        return user;
    }

    /// <summary>Gives <paramref name="userId"/> the e-mail <paramref name="of"/> has (an account changed its address since).</summary>
    public Task TakeEmailOfAsync(string userId, string of) => WithContextAsync(async db =>
    {
        var email = await db.Users.Where(u => u.Id == of).Select(u => u.Email).SingleAsync();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, email));
    });

    /// <summary>A referrer with a code and a referee attached to it.</summary>
    public async Task<(string Referrer, string Referee)> ReferredPairAsync()
    {
        var (referrer, referees) = await ReferrerWithRefereesAsync(1);
        return (referrer, referees[0]);
    }

    /// <summary>A referrer with an e-mail and <paramref name="count"/> referees attached to their code, all with e-mails of their own.</summary>
    public async Task<(string Referrer, string[] Referees)> ReferrerWithRefereesAsync(int count)
    {
        var referrer = await SignUpAsync("referrer", $"{Guid.NewGuid():N}@example.com");
        var code = await CodeOf(referrer);
        var referees = new string[count];
        for (var i = 0; i < count; i++)
        {
            referees[i] = await SignUpAsync("referee" + i, $"{Guid.NewGuid():N}@example.com");
            Assert.Equal(CreditReferralAttachOutcome.Attached, (await AttachAsync(referees[i], code)).Outcome);
        }

        return (referrer, referees);
    }

    /// <summary>Starts a paid Pro purchase of <paramref name="userId"/>; returns its checkout session and payment ids.</summary>
    public async Task<(string Session, string Payment)> StartProAsync(string userId)
    {
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await With<CreditPurchaseEntry, ICreditPurchaseService>(p => p.StartPurchaseAsync(userId, "pro", "stripe"));
        await With<bool, ICreditPurchaseService>(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        return (session, "pi_test_" + Guid.NewGuid().ToString("N"));
    }

    public Task<PurchaseFulfilmentResult> CompleteAsync((string Session, string Payment) purchase) =>
        With<PurchaseFulfilmentResult, ICreditPurchaseService>(p => p.CompletePurchaseAsync(purchase.Session, 2999, "usd", "pro", purchase.Payment));

    public async Task<(string Session, string Payment)> BuyProAsync(string userId)
    {
        var purchase = await StartProAsync(userId);
        Assert.Equal(PurchaseFulfilmentOutcome.Completed, (await CompleteAsync(purchase)).Outcome);
        return purchase;
    }

    public Task<PurchaseReversalResult> RefundAsync(string payment) =>
        With<PurchaseReversalResult, ICreditPurchaseService>(p => p.RecordRefundAsync(payment, 2999));

    public async Task<long> BalanceAsync(string userId) => (await database.ReadLedgerAsync(userId, Services)).Balance;

    public async Task<CreditReferral?> ReferralOfAsync(string refereeId)
    {
        CreditReferral? referral = null;
        await WithContextAsync(async db => referral = await db.Referrals.AsNoTracking().SingleOrDefaultAsync(r => r.RefereeId == refereeId));
        return referral;
    }

    /// <summary>Ledger rows of the user with the key, read straight from the table.</summary>
    public async Task<int> RowsWithKeyAsync(string userId, string key)
    {
        var count = 0;
        await WithContextAsync(async db => count = await db.Transactions.CountAsync(t => t.UserId == userId && t.IdempotencyKey == key));
        return count;
    }

    public async Task WithContextAsync(Func<CreditsDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    /// <summary>The descriptions of the user's ledger rows, newest first.</summary>
    public async Task<List<string>> DescriptionsAsync(string userId) =>
        [.. (await With<CreditPage<CreditLedgerEntry>, ICreditService>(c => c.GetTransactionsAsync(userId))).Items.Select(t => t.Description)];

    /// <summary>Balance == Σ ledger for every given user.</summary>
    public async Task AssertLedgersAsync(params string[] users)
    {
        foreach (var user in users)
        {
            var (balance, sum, _) = await database.ReadLedgerAsync(user, Services);
            Assert.Equal(sum, balance);
        }
    }
}
