using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Security;

/// <summary>
/// A host as the README shows it (gifts, referrals and teams on), a victim with 47 credits, an open Pro checkout, a pending
/// gift of 5 and two teams (one shared with the attacker as a plain member, with 300 credits), an attacker with 20 credits
/// and a team of their own, and a
/// user with credits for exactly five renders, on one database for the whole catalogue.
/// </summary>
public interface IHostileCatalogueFixture : IAsyncLifetime
{
    CreditsDatabase Database { get; }

    CreditsApp App { get; }

    HostileCatalogueData Data { get; }

    Task<string> SnapshotAsync();
}

public abstract class HostileCatalogueFixture<TDatabase> : IHostileCatalogueFixture
    where TDatabase : CreditsDatabase, new()
{
    private readonly TDatabase database = new();

    public CreditsDatabase Database => database;

    public CreditsApp App { get; private set; } = null!;

    public HostileCatalogueData Data { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        App = await CreditsApp.StartAsync(database, database.ConnectionString, services => services.Configure<CreditsOptions>(o =>
        {
            o.Gifts.Enabled = true;
            o.Gifts.RedeemAttemptsPerWindow = 1_000; // the catalogue's wrong codes must each get their own answer, not the rate limit
            o.Referrals.Enabled = true;
            o.Teams.Enabled = true;
        }), map: app =>
        {
            app.MapPost(HostileRequestCatalogue.KeyedPath, (HttpRequest request) =>
                CreditsIdempotencyKeyHeader.TryRead(request, out var key, out var problem) ? Results.Ok(new { key }) : problem);
            app.MapPost(HostileRequestCatalogue.RenderPath, () => Results.Ok(new { rendered = true })).RequireCredits("image-generation", "default");
        });
        var victim = "user_victim_" + Guid.NewGuid().ToString("N");
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(victim, 47, CreditTransactionType.Bonus, "victim"));
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync("attacker", 20, CreditTransactionType.Bonus, "attacker"));
        var sessionId = await App.StartCheckoutAsync(victim);
        var metadata = App.Stripe.CreateRequests.Last().Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value);
        var gift = await App.WithServiceAsync<CreditGiftResult, ICreditGiftService>(g => g.CreateGiftAsync(victim, 5));
        var (shared, secret, own) = ("org_shared_" + Guid.NewGuid().ToString("N"), "org_private_" + Guid.NewGuid().ToString("N"), "org_attacker_" + Guid.NewGuid().ToString("N"));
        await App.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.CreateTeamAsync(shared, "Shared", victim));
        await App.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.AddMemberAsync(shared, victim, "attacker"));
        await App.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.CreateTeamAsync(secret, "Private", victim));
        await App.WithServiceAsync<CreditTeamResult, ICreditTeamService>(t => t.CreateTeamAsync(own, "Attacker's", "attacker"));
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => ((MediaForge.Credits.Ledger.CreditService)c).GrantAsync(
            MediaForge.Credits.Teams.CreditWalletAccounts.TeamAccount(shared), 300, CreditTransactionType.Bonus, "shared wallet", null, null, null, CancellationToken.None));
        Data = new HostileCatalogueData(victim, "attacker", sessionId, metadata, gift.Gift!.Id, shared, secret, own);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await database.DisposeAsync();
    }

    /// <summary>Counts of every table a request could change, balances and held credits, and every account whose balance is not the sum of its ledger.</summary>
    public async Task<string> SnapshotAsync() => await App.DbAsync(async db =>
    {
        var balances = await db.Accounts.AsNoTracking().Select(a => new { a.UserId, a.Balance, a.Reserved }).ToListAsync();
        var ledger = (await db.Transactions.AsNoTracking().Select(t => new { t.UserId, t.Amount }).ToListAsync())
            .GroupBy(t => t.UserId).ToDictionary(g => g.Key, g => g.Sum(t => t.Amount));
        var broken = balances.Where(b => b.Balance != ledger.GetValueOrDefault(b.UserId)).Select(b => b.UserId);
        var purchases = await db.Purchases.AsNoTracking().Select(p => p.Status).ToListAsync();
        return JsonSerializer.Serialize(new
        {
            Broken = broken.ToList(),
            Balances = balances.OrderBy(b => b.UserId, StringComparer.Ordinal).Select(b => $"{b.UserId}={b.Balance}/{b.Reserved}").ToList(),
            Transactions = ledger.Values.Count,
            Rows = await db.Transactions.CountAsync(),
            Usage = await db.UsageLogs.CountAsync(),
            Users = await db.Users.CountAsync(),
            Purchases = purchases.OrderBy(s => s).Select(s => s.ToString()).ToList(),
            Reservations = await db.Reservations.CountAsync(),
            Webhooks = await db.WebhookEvents.CountAsync(),
            ReferralCodes = await db.ReferralCodes.CountAsync(),
            Referrals = await db.Referrals.CountAsync(),
            Teams = await db.Set<MediaForge.Credits.Entities.CreditTeamRow>().AsNoTracking().OrderBy(t => t.Id)
                .Select(t => new { t.Id, t.Status, t.DefaultMemberLimit }).ToListAsync(),
            Members = await db.Set<MediaForge.Credits.Entities.CreditTeamMemberRow>().AsNoTracking().OrderBy(m => m.TeamId).ThenBy(m => m.UserId)
                .Select(m => new { m.TeamId, m.UserId, m.Role, m.SpendLimit, m.RemovedAt }).ToListAsync(),
        });
    }) + await GiftsAsync(Data.Victim) + await GiftsAsync(Data.Attacker);

    /// <summary>A user's gifts (the gift rows are the core's own): each one's id, status and amounts.</summary>
    private Task<string> GiftsAsync(string user) => App.WithServiceAsync<string, ICreditGiftService>(async gifts =>
    {
        var list = await gifts.GetGiftsAsync(user);
        return string.Join(",", list.Sent.Concat(list.Received).Select(g => $"{g.Id}:{g.Status}:{g.Amount}:{g.RedeemedAmount}"));
    });
}

public sealed class SqliteHostileCatalogueFixture : HostileCatalogueFixture<SqliteCreditsDatabase>;

public sealed class PostgresHostileCatalogueFixture : HostileCatalogueFixture<PostgresCreditsDatabase>;

/// <summary>
/// The HTTP bad-input catalogue (issue 13, "beyond the list"): each hostile request gets the expected 4xx with an
/// RFC 9457 problem body carrying a stable code, within a time bound (never a 5xx, never a hang), and leaves every
/// balance, ledger and table as it was.
/// </summary>
public abstract class HostileRequestCatalogueTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IHostileCatalogueFixture
{
    /// <summary>Bounds each request: a hang fails the case instead of blocking the suite (not a timing assertion).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Cases => new(HostileRequestCatalogue.Requests.Keys);


    [Fact]
    public void Catalogue_HasAtLeastFortyFiveHostileRequests() => Assert.True(HostileRequestCatalogue.Requests.Count >= 45);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileRequest_GetsProblemAndChangesNothing(string name)
    {
        var app = fixture.App;
        var hostile = HostileRequestCatalogue.Requests[name];
        var before = await fixture.SnapshotAsync();

        using var response = await app.Client(hostile.User, hostile.Admin).SendAsync(hostile.Build(fixture.Data)).WaitAsync(Bound);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(hostile.Expected == response.StatusCode, $"{name}: expected {(int)hostile.Expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.StartsWith("urn:mediaforge:credits:", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("code").GetString()));
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task RequireCredits_TwentyConcurrentUsesAgainstBalanceForFive_ExactlyFiveSucceed()
    {
        var app = fixture.App;
        var user = "user_five_" + Guid.NewGuid().ToString("N");
        await app.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, 5 * 3, CreditTransactionType.Bonus, "five renders"));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var uses = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            using var response = await app.Client(user).PostAsync(HostileRequestCatalogue.RenderPath, null);
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType);
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(uses).WaitAsync(Bound);

        Assert.Equal(5, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.OK),
            r => Assert.Equal((HttpStatusCode.PaymentRequired, "application/problem+json"), (r.StatusCode, r.MediaType)));
        var (balance, ledgerSum, _) = await fixture.Database.ReadLedgerAsync(user, app.Services);
        Assert.Equal((0L, 0L), (balance, ledgerSum));
        Assert.Equal(5, await app.DbAsync(db => db.UsageLogs.CountAsync(u => u.UserId == user)));
    }
}

public sealed class SqliteHostileRequestCatalogueTests(SqliteHostileCatalogueFixture fixture)
    : HostileRequestCatalogueTests<SqliteHostileCatalogueFixture>(fixture);

public sealed class PostgresHostileRequestCatalogueTests(PostgresHostileCatalogueFixture fixture)
    : HostileRequestCatalogueTests<PostgresHostileCatalogueFixture>(fixture);
