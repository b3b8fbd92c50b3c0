using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Clerk;
using MediaForge.Credits.AspNetCore.Events;
using MediaForge.Credits.Events;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.AspNetCore.Tests.Events;

/// <summary>Outbound webhooks: Standard Webhooks signatures, per-endpoint delivery state in the database, retries with backoff.</summary>
public abstract class WebhookTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly Receiver receiver = new();
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Build(o =>
    {
        o.Endpoints.Add(Endpoint("billing", "https://billing.example/hooks"));
        o.Endpoints.Add(Endpoint("crm", "https://crm.example/hooks"));
    });

    private ServiceProvider Build(Action<CreditWebhookOptions> configure) =>
        database.BuildServices(database.ConnectionString, o => (o.Events.RetryDelay, o.Events.MaxRetryDelay) = (TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)),
            clock, configureServices: s =>
            {
                s.Configure(configure);
                s.AddHttpClient(CreditWebhookSender.ClientName).ConfigurePrimaryHttpMessageHandler(() => receiver);
                s.AddScoped<ICreditEventHandler<CreditEvent>, CreditWebhookSender>();
            });

    private static CreditWebhookEndpoint Endpoint(string name, string url, params string[] types)
    {
        var endpoint = new CreditWebhookEndpoint { Name = name, Url = url, Secret = Secret };
        foreach (var type in types)
        {
            endpoint.EventTypes.Add(type);
        }

        return endpoint;
    }

    private async Task<string> GrantAsync(ServiceProvider? provider = null)
    {
        var user = "hook_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "bonus"), provider ?? Services);
        return user;
    }

    private async Task DrainAsync(ServiceProvider? provider = null)
    {
        while (await (provider ?? Services).GetRequiredService<CreditEventDispatcher>().DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    private List<Receiver.Request> SentFor(string user, string host) =>
        receiver.Requests.Where(r => r.Host == host && r.Body.Contains(user, StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Deliver_Event_SignedWithTheStandardWebhooksSchemeOverIdTimestampAndBody()
    {
        await DrainAsync();
        var user = await GrantAsync();

        await DrainAsync();

        var sent = Assert.Single(SentFor(user, "billing.example"));
        var eventId = (await Outbox(user)).Single().Id;
        Assert.Equal((eventId.ToString("D"), Start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)), (sent.Id, sent.Timestamp));
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{sent.Id}.{sent.Timestamp}.{sent.Body}")));
        Assert.Equal(expected, sent.Signature);
    }

    [Fact]
    public async Task Deliver_Event_VerifiesWithASvixCompatibleVerifier()
    {
        await DrainAsync();
        var user = await GrantAsync();

        await DrainAsync();

        var sent = Assert.Single(SentFor(user, "crm.example"));
        var headers = new HeaderDictionary
        {
            [SvixSignatureVerifier.IdHeader] = sent.Id, [SvixSignatureVerifier.TimestampHeader] = sent.Timestamp, [SvixSignatureVerifier.SignatureHeader] = sent.Signature,
        };
        Assert.Null(new SvixSignatureVerifier(clock).Verify(Secret, headers, sent.Body, TimeSpan.FromMinutes(5)));
        Assert.NotNull(new SvixSignatureVerifier(clock).Verify("whsec_" + Convert.ToBase64String(new byte[24]), headers, sent.Body, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Deliver_Event_BodyCarriesTheTypeTimestampAndTheEventsFacts()
    {
        await DrainAsync();
        var user = await GrantAsync();

        await DrainAsync();

        using var body = JsonDocument.Parse(Assert.Single(SentFor(user, "billing.example")).Body);
        var root = body.RootElement;
        Assert.Equal(("credits.granted", Start), (root.GetProperty("type").GetString(), root.GetProperty("timestamp").GetDateTimeOffset()));
        var data = root.GetProperty("data");
        Assert.Equal((user, 5L, "Bonus"), (data.GetProperty("walletId").GetString(), data.GetProperty("amount").GetInt64(), data.GetProperty("transactionType").GetString()));
    }

    [Fact]
    public async Task Deliver_OneEndpointFails_RetriedAfterTheBackoffToThatEndpointOnlyWithTheSameId()
    {
        await DrainAsync();
        receiver.FailNext("crm.example", 1);
        var user = await GrantAsync();

        await DrainAsync();
        var failed = await Deliveries(user);
        Assert.Equal([("billing", 1, (int?)200, true), ("crm", 1, 500, false)], failed.Select(d => (d.Endpoint, d.Attempts, d.LastStatus, d.DeliveredAt is not null)).OrderBy(d => d.Endpoint));
        Assert.Null((await Outbox(user)).Single().DispatchedAt);

        clock.Advance(TimeSpan.FromSeconds(9));
        await DrainAsync();
        Assert.Single(SentFor(user, "crm.example"));

        clock.Advance(TimeSpan.FromSeconds(1));
        await DrainAsync();

        var crm = SentFor(user, "crm.example");
        Assert.Equal(2, crm.Count);
        Assert.Single(crm.Select(r => r.Id).Distinct());
        Assert.Single(SentFor(user, "billing.example"));
        Assert.NotNull((await Outbox(user)).Single().DispatchedAt);
    }

    [Fact]
    public async Task Deliver_EndpointWithEventTypes_GetsOnlyThose()
    {
        var provider = Build(o => o.Endpoints.Add(Endpoint("alerts", "https://alerts.example/hooks", LowBalance.TypeName)));
        await DrainAsync(provider);
        var user = await GrantAsync(provider);

        await DrainAsync(provider);

        Assert.Empty(SentFor(user, "alerts.example"));
        Assert.NotNull((await Outbox(user)).Single().DispatchedAt);
    }

    private async Task<List<CreditEventRow>> Outbox(string user)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditEventRow>().AsNoTracking().Where(e => e.WalletId == user).ToListAsync();
    }

    private async Task<List<CreditWebhookDelivery>> Deliveries(string user)
    {
        var ids = (await Outbox(user)).Select(e => e.Id).ToList();
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditWebhookDelivery>().AsNoTracking().Where(d => ids.Contains(d.EventId)).ToListAsync();
    }

    /// <summary>The receiving ends: records each POST, answers 200 unless told to fail.</summary>
    private sealed class Receiver : HttpMessageHandler
    {
        private readonly ConcurrentDictionary<string, int> failures = new();

        public ConcurrentQueue<Request> Requests { get; } = new();

        public void FailNext(string host, int times) => failures[host] = times;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri!.Host;
            Requests.Enqueue(new Request(host, request.Headers.GetValues("webhook-id").Single(), request.Headers.GetValues("webhook-timestamp").Single(),
                request.Headers.GetValues("webhook-signature").Single(), await request.Content!.ReadAsStringAsync(cancellationToken)));
            var fail = failures.TryGetValue(host, out var left) && left > 0 && failures.TryUpdate(host, left - 1, left);
            return new HttpResponseMessage(fail ? HttpStatusCode.InternalServerError : HttpStatusCode.OK);
        }

        public sealed record Request(string Host, string Id, string Timestamp, string Signature, string Body);
    }
}

public sealed class SqliteWebhookTests(SqliteCreditsDatabase database) : WebhookTests<SqliteCreditsDatabase>(database);

public sealed class PostgresWebhookTests(PostgresCreditsDatabase database) : WebhookTests<PostgresCreditsDatabase>(database);
