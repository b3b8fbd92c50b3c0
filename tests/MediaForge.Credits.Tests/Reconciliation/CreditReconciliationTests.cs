using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Reconciliation;

/// <summary>Reconciliation on a fresh database per test (it checks the whole ledger), with deliberately broken rows.</summary>
public abstract class CreditReconciliationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private IServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        services = database.BuildServices(await database.CreateDatabaseAsync());
        await services.InitializeCreditsAsync(createSchema: true);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private Task<CreditReconciliationReport> ReconcileAsync(bool repair = false) =>
        WithAsync(s => s.GetRequiredService<ICreditReconciliation>().ReconcileAsync(repair));

    private Task<int> DbAsync(Func<CreditsDbContext, Task<int>> action) => WithAsync(s => action(s.GetRequiredService<CreditsDbContext>()));

    private Task<long> BalanceAsync(string user) => WithAsync(async s => (await s.GetRequiredService<ICreditService>().GetBalanceAsync(user)).Balance);

    /// <summary>A normal paid purchase of Pro (200 credits) through the purchase service; returns the purchase id.</summary>
    private Task<Guid> BuyProAsync(string user, string session) => WithAsync(async s =>
    {
        var purchases = s.GetRequiredService<ICreditPurchaseService>();
        var purchase = await purchases.StartPurchaseAsync(user, "pro", "stripe");
        await purchases.AttachSessionAsync(purchase.Id, session);
        await purchases.CompletePurchaseAsync(session, 2999, "usd");
        return purchase.Id;
    });

    /// <summary>A purchase row marked completed whose grant never reached the ledger (the broken row).</summary>
    private Task<Guid> InsertCompletedPurchaseWithoutGrantAsync(string user, string? session) => WithAsync(async s =>
    {
        await s.GetRequiredService<ICreditService>().AddCreditsAsync(user, 1, CreditTransactionType.Adjustment, "account");
        var db = s.GetRequiredService<CreditsDbContext>();
        var now = DateTime.UtcNow;
        var purchase = new CreditPurchase
        {
            Id = Guid.CreateVersion7(), UserId = user, PackageId = "pro", Credits = 200, AmountCents = 2999, Currency = "usd",
            Status = PurchaseStatus.Completed, Provider = "stripe", ProviderSessionId = session, CreatedAt = now, UpdatedAt = now, CompletedAt = now,
        };
        db.Purchases.Add(purchase);
        await db.SaveChangesAsync();
        return purchase.Id;
    });

    [Fact]
    public async Task Reconcile_ConsistentLedger_IsConsistent()
    {
        await BuyProAsync("alice", "cs_ok");
        await WithAsync(s => s.GetRequiredService<ICreditService>().DeductCreditsAsync("alice", "video-generation", "veo2"));

        var report = await ReconcileAsync();

        Assert.True(report.IsConsistent);
        Assert.Equal((1L, 1L), (report.AccountsChecked, report.PurchasesChecked));
    }

    [Fact]
    public async Task Reconcile_BalanceRowTamperedWith_ReportsBalanceAndLedgerSum()
    {
        await BuyProAsync("alice", "cs_ok");
        await DbAsync(db => db.Accounts.Where(a => a.UserId == "alice").ExecuteUpdateAsync(u => u.SetProperty(a => a.Balance, 207L)));

        var report = await ReconcileAsync();

        var discrepancy = Assert.Single(report.BalanceDiscrepancies);
        Assert.Equal(("alice", 207L, 200L), (discrepancy.UserId, discrepancy.Balance, discrepancy.LedgerSum));
        Assert.False(report.IsConsistent);
    }

    [Fact]
    public async Task Reconcile_SeveralBalancesTamperedWith_ReportsThemByUserId()
    {
        await BuyProAsync("zoe", "cs_z");
        await BuyProAsync("amy", "cs_a");
        await DbAsync(db => db.Accounts.ExecuteUpdateAsync(u => u.SetProperty(a => a.Balance, 1L)));

        var report = await ReconcileAsync();

        Assert.Equal(["amy", "zoe"], report.BalanceDiscrepancies.Select(d => d.UserId));
    }

    [Fact]
    public async Task Reconcile_SeveralPurchasesWithoutGrant_ReportsTheOldestFirst()
    {
        var older = await InsertCompletedPurchaseWithoutGrantAsync("bob", "cs_lost_first");
        var newer = await InsertCompletedPurchaseWithoutGrantAsync("bob", "cs_lost_then");

        var report = await ReconcileAsync();

        Assert.Equal([older, newer], report.MissingGrants.Select(m => m.PurchaseId));
    }

    [Fact]
    public async Task Reconcile_PurchaseLinkedToALedgerRowThatIsNotThere_ReportsIt()
    {
        var purchaseId = await BuyProAsync("fay", "cs_dangling");
        await DbAsync(db => db.Purchases.Where(p => p.Id == purchaseId).ExecuteUpdateAsync(u => u.SetProperty(p => p.TransactionId, Guid.NewGuid())));

        var report = await ReconcileAsync();

        Assert.Equal(purchaseId, Assert.Single(report.MissingGrants).PurchaseId);
    }

    [Fact]
    public async Task Reconcile_CompletedPurchaseWithoutGrant_ReportsItUnrepaired()
    {
        var purchaseId = await InsertCompletedPurchaseWithoutGrantAsync("bob", "cs_lost");

        var report = await ReconcileAsync();

        var missing = Assert.Single(report.MissingGrants);
        Assert.Equal((purchaseId, "bob", "cs_lost", 200L, false), (missing.PurchaseId, missing.UserId, missing.ProviderSessionId, missing.Credits, missing.Repaired));
        Assert.Equal(1, await BalanceAsync("bob"));
    }

    [Fact]
    public async Task Reconcile_RepairMissingGrant_GrantsOnceWithPurchaseKey()
    {
        await InsertCompletedPurchaseWithoutGrantAsync("bob", "cs_lost");

        var repaired = await ReconcileAsync(repair: true);
        var again = await ReconcileAsync(repair: true);

        Assert.True(Assert.Single(repaired.MissingGrants).Repaired);
        Assert.True(again.IsConsistent);
        Assert.Empty(again.MissingGrants);
        Assert.Equal(201, await BalanceAsync("bob"));
        Assert.Equal(1, await DbAsync(db => db.Transactions.CountAsync(t => t.IdempotencyKey == "mf:purchase:cs_lost")));
    }

    [Fact]
    public async Task Reconcile_RepairedGrant_IsDescribedAsThePacksPurchaseAndMarkedRepaired()
    {
        await InsertCompletedPurchaseWithoutGrantAsync("bob", "cs_described");

        await ReconcileAsync(repair: true);

        var row = await WithAsync(s => s.GetRequiredService<CreditsDbContext>().Transactions.AsNoTracking()
            .SingleAsync(t => t.IdempotencyKey == "mf:purchase:cs_described"));
        Assert.Equal("pro pack purchase", row.Description);
        Assert.Contains("\"repaired\":true", row.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_RepairAfterLostLink_RelinksExistingGrantWithoutGrantingAgain()
    {
        var purchaseId = await BuyProAsync("carol", "cs_unlinked");
        await DbAsync(db => db.Purchases.Where(p => p.Id == purchaseId).ExecuteUpdateAsync(u => u.SetProperty(p => p.TransactionId, (Guid?)null)));

        var report = await ReconcileAsync(repair: true);

        Assert.True(Assert.Single(report.MissingGrants).Repaired);
        Assert.Equal(200, await BalanceAsync("carol"));
        Assert.True((await ReconcileAsync()).IsConsistent);
    }

    [Fact]
    public async Task Reconcile_RepairWhereThePurchaseKeyHoldsAnotherGrant_LeavesItUnrepaired_AndGrantsNothing()
    {
        var purchaseId = await BuyProAsync("erin", "cs_clash");
        await DbAsync(db => db.Purchases.Where(p => p.Id == purchaseId)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.TransactionId, (Guid?)null).SetProperty(p => p.Credits, 300)));

        var report = await ReconcileAsync(repair: true);

        Assert.False(Assert.Single(report.MissingGrants).Repaired);
        Assert.Equal(200, await BalanceAsync("erin"));
    }

    [Fact]
    public async Task Reconcile_RepairMissingFreeClaim_GrantsWithThePackageKeyAsABonus()
    {
        await InsertCompletedPurchaseWithoutGrantAsync("dave", session: null);

        var report = await ReconcileAsync(repair: true);

        Assert.True(Assert.Single(report.MissingGrants).Repaired);
        Assert.Equal(1, await DbAsync(db => db.Transactions.CountAsync(t => t.UserId == "dave" && t.IdempotencyKey == "mf:package:pro" && t.Type == CreditTransactionType.Bonus
            && t.Description == "pro pack (free)")));
    }

    [Fact]
    public async Task Reconcile_PaidEventsFulfilledInAnyWay_AreNotReported()
    {
        await AddEventsAsync(("checkout.session.completed", "already_completed"), ("checkout.session.completed", "awaiting_payment"),
            ("checkout.session.async_payment_succeeded", "completed"));

        Assert.Empty((await ReconcileAsync()).UnfulfilledPayments);
    }

    [Fact]
    public async Task Reconcile_AsyncPaymentEventNotFulfilled_ReportsEvent()
    {
        await AddEventsAsync(("checkout.session.async_payment_succeeded", "unknown_session"));

        Assert.Equal("checkout.session.async_payment_succeeded", Assert.Single((await ReconcileAsync()).UnfulfilledPayments).Type);
    }

    [Fact]
    public async Task Reconcile_StripeEventsOfOtherTypes_AreNotReported()
    {
        await AddEventsAsync(("invoice.paid", "granted: 100"), ("customer.subscription.updated", "active"), ("payment_intent.payment_failed", "failed"));

        Assert.Empty((await ReconcileAsync()).UnfulfilledPayments);
    }

    [Fact]
    public async Task Reconcile_SeveralPaidEventsNotFulfilled_ReportsTheOldestFirst()
    {
        var at = DateTime.UtcNow;
        await DbAsync(db =>
        {
            db.WebhookEvents.Add(new WebhookEvent { Id = Guid.CreateVersion7(), Provider = "stripe", EventId = "evt_later", Type = "checkout.session.completed", Outcome = "unknown_session", ProcessedAt = at });
            db.WebhookEvents.Add(new WebhookEvent { Id = Guid.CreateVersion7(), Provider = "stripe", EventId = "evt_sooner", Type = "checkout.session.completed", Outcome = "unknown_session", ProcessedAt = at.AddMinutes(-5) });
            return db.SaveChangesAsync();
        });

        Assert.Equal(["evt_sooner", "evt_later"], (await ReconcileAsync()).UnfulfilledPayments.Select(e => e.EventId));
    }

    private Task<int> AddEventsAsync(params (string Type, string Outcome)[] events) => DbAsync(db =>
    {
        foreach (var (type, outcome) in events)
        {
            db.WebhookEvents.Add(new WebhookEvent { Id = Guid.CreateVersion7(), Provider = "stripe", EventId = "evt_" + Guid.NewGuid().ToString("N"), Type = type, Outcome = outcome, ProcessedAt = DateTime.UtcNow });
        }

        return db.SaveChangesAsync();
    });

    [Fact]
    public async Task Reconcile_PaidCheckoutEventNotFulfilled_ReportsEvent()
    {
        await DbAsync(db =>
        {
            db.WebhookEvents.Add(new WebhookEvent { Id = Guid.CreateVersion7(), Provider = "stripe", EventId = "evt_lost", Type = "checkout.session.completed", Outcome = "unknown_session", ProcessedAt = DateTime.UtcNow });
            db.WebhookEvents.Add(new WebhookEvent { Id = Guid.CreateVersion7(), Provider = "stripe", EventId = "evt_ok", Type = "checkout.session.completed", Outcome = "completed", ProcessedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });

        var report = await ReconcileAsync();

        var unfulfilled = Assert.Single(report.UnfulfilledPayments);
        Assert.Equal(("evt_lost", "unknown_session"), (unfulfilled.EventId, unfulfilled.Outcome));
    }
}

public sealed class SqliteCreditReconciliationTests(SqliteCreditsDatabase database) : CreditReconciliationTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditReconciliationTests(PostgresCreditsDatabase database) : CreditReconciliationTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbCreditReconciliationTests(MariaDbCreditsDatabase database) : CreditReconciliationTests<MariaDbCreditsDatabase>(database);
