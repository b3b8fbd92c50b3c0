using System.Net;
using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Torture;

/// <summary>
/// Webhook storm (issue 6): two app instances (two test servers built like <see cref="CreditsApp"/>) on one database
/// receive, all at once, 50 deliveries of one Stripe <c>checkout.session.completed</c> event and 50 deliveries of one
/// Clerk <c>user.created</c> message, alternating between the instances. Exactly one grant each.
/// </summary>
public abstract class WebhookStormTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    private const int Deliveries = 50;

    /// <summary>Bounds the storm; a hang fails the test instead of blocking the suite (not a timing assertion).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private CreditsApp first = null!;
    private CreditsApp second = null!;

    public async Task InitializeAsync()
    {
        first = await CreditsApp.StartAsync(database, database.ConnectionString);
        second = await CreditsApp.StartAsync(database, database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Storm_FiftyStripeAndFiftyClerkDeliveriesAcrossTwoInstances_GrantOnceEach()
    {
        var buyer = "user_" + Guid.NewGuid().ToString("N");
        var signUp = "user_" + Guid.NewGuid().ToString("N");
        var sessionId = await first.StartCheckoutAsync(buyer);
        var metadata = first.Stripe.CreateRequests.Last().Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value);
        var stripeEventId = "evt_storm_" + Guid.NewGuid().ToString("N");
        var stripeJson = WebhookPayloads.StripeSessionEvent("checkout.session.completed", sessionId, 2999, "usd", "paid", metadata, stripeEventId);
        var clerkMessageId = "msg_storm_" + Guid.NewGuid().ToString("N");
        var clerkJson = WebhookPayloads.ClerkUserEvent("user.created", signUp);

        // Every request is built and its client chosen first; then all 100 are released together.
        var clients = new[] { first.Client(), second.Client() };
        var deliveries = Enumerable.Range(0, Deliveries)
            .SelectMany(i => new[]
            {
                (Provider: "stripe", Client: clients[i % 2], Request: WebhookPayloads.StripeRequest(stripeJson)),
                (Provider: "clerk", Client: clients[(i + 1) % 2], Request: WebhookPayloads.ClerkRequest(clerkJson, clerkMessageId)),
            })
            .ToList();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = deliveries.Select(d => Task.Run(async () =>
        {
            await start.Task;
            var response = await d.Client.SendAsync(d.Request);
            return (d.Provider, response.StatusCode, Receipt: await response.Content.ReadFromJsonAsync<WebhookReceipt>());
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(sends).WaitAsync(Bound);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var stripe = results.Where(r => r.Provider == "stripe").Select(r => r.Receipt!).ToList();
        var clerk = results.Where(r => r.Provider == "clerk").Select(r => r.Receipt!).ToList();
        Assert.Equal((Deliveries, Deliveries), (stripe.Count, clerk.Count));
        Assert.Equal("completed", Assert.Single(stripe, r => !r.Duplicate).Outcome);
        Assert.Equal("granted", Assert.Single(clerk, r => !r.Duplicate).Outcome);

        // The purchase: 200 credits, one ledger row, the purchase completed and linked to it, one event row.
        var (buyerBalance, buyerLedgerSum, buyerRows) = await database.ReadLedgerAsync(buyer, first.Services);
        Assert.Equal((200L, 200L, 1), (buyerBalance, buyerLedgerSum, buyerRows));
        var purchase = await second.DbAsync(db => db.Purchases.SingleAsync(p => p.ProviderSessionId == sessionId));
        Assert.Equal(PurchaseStatus.Completed, purchase.Status);
        var grant = await second.DbAsync(db => db.Transactions.SingleAsync(t => t.UserId == buyer));
        Assert.Equal((purchase.TransactionId, 200L, CreditTransactionType.Purchase), ((Guid?)grant.Id, grant.Amount, grant.Type));

        // The sign-up: 50 starter credits, one ledger row, one user row.
        var (signUpBalance, signUpLedgerSum, signUpRows) = await database.ReadLedgerAsync(signUp, second.Services);
        Assert.Equal((50L, 50L, 1), (signUpBalance, signUpLedgerSum, signUpRows));
        Assert.Equal(1, await first.DbAsync(db => db.Users.CountAsync(u => u.Id == signUp)));

        var events = await first.DbAsync(db => db.WebhookEvents.AsNoTracking()
            .Where(e => e.EventId == stripeEventId || e.EventId == clerkMessageId)
            .Select(e => new { e.Provider, e.Outcome }).ToListAsync());
        Assert.Equal(2, events.Count);
        Assert.Contains(events, e => e.Provider == "stripe" && e.Outcome == "completed");
        Assert.Contains(events, e => e.Provider == "clerk" && e.Outcome == "granted");
    }
}

public sealed class SqliteWebhookStormTests(SqliteCreditsDatabase database) : WebhookStormTests<SqliteCreditsDatabase>(database);

public sealed class PostgresWebhookStormTests(PostgresCreditsDatabase database) : WebhookStormTests<PostgresCreditsDatabase>(database);
