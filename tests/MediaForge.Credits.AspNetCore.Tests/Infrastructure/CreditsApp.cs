using System.Net.Http.Json;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A host as the README shows it (<c>AddMediaForgeCredits(configuration)</c> + <c>MapCreditEndpoints()</c>) on a test
/// server, with a real database, test authentication and the fake Stripe API.
/// </summary>
public sealed class CreditsApp : IAsyncDisposable
{
    public const string StripeWebhookSecret = "whsec_test_stripe_secret_for_mediaforge";
    public const string ClerkWebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly WebApplication app;

    private CreditsApp(WebApplication app, FakeStripe stripe)
    {
        this.app = app;
        Stripe = stripe;
    }

    public FakeStripe Stripe { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<CreditsApp> StartAsync(CreditsDatabase database, string connectionString, Action<IServiceCollection>? configure = null, Action<WebApplication>? map = null)
    {
        var stripe = await FakeStripe.StartAsync();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["STRIPE_SECRET_KEY"] = "sk_test_fake",
            ["STRIPE_WEBHOOK_SECRET"] = StripeWebhookSecret,
            ["CLERK_WEBHOOK_SECRET"] = ClerkWebhookSecret,
        });
        builder.Services.AddDbContextPool<CreditsDbContext>(o => database.UseProvider(o, connectionString));
        builder.Services.AddMediaForgeCredits(builder.Configuration).UseEntityFrameworkCore<CreditsDbContext>();
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddSingleton<IStripeClient>(stripe.Client);
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCreditEndpoints();
        app.MapCreditsAdminEndpoints();
        map?.Invoke(app);
        await app.StartAsync();
        await app.Services.InitializeCreditsAsync(createSchema: true);
        return new CreditsApp(app, stripe);
    }

    /// <summary>Collects what the library counts on <paramref name="instrument"/> from now on.</summary>
    public MetricCollector<long> Collect(string instrument) =>
        new(app.Services.GetRequiredService<IMeterFactory>(), "MediaForge.Credits", instrument);

    /// <summary>A client signed in as <paramref name="userId"/> (anonymous when null).</summary>
    public HttpClient Client(string? userId = null, bool admin = false)
    {
        var client = app.GetTestClient();
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Add("X-Test-User", userId);
        }

        if (admin)
        {
            client.DefaultRequestHeaders.Add("X-Test-Admin", "true");
        }

        return client;
    }

    public async Task<T> WithServiceAsync<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<long> BalanceAsync(string userId) =>
        WithServiceAsync<long, ICreditService>(async c => (await c.GetBalanceAsync(userId)).Balance);

    public Task<T> DbAsync<T>(Func<CreditsDbContext, Task<T>> query) => WithServiceAsync(query);

    /// <summary>Starts a Pro checkout for the user and returns the session id the fake Stripe created.</summary>
    public async Task<string> StartCheckoutAsync(string userId, string packageId = "pro")
    {
        var response = await Client(userId).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CheckoutSessionResponse>())!.SessionId!;
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}
