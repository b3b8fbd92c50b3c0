using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using MediaForge.Credits.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// A real host on Kestrel (127.0.0.1, random port) as the README shows it: <c>AddMediaForgeCredits(configuration)</c>,
/// <c>MapCreditEndpoints()</c>, a trivial authentication that takes <c>sub</c> from the <c>X-User</c> header. Next to
/// <c>GET /api/credits/balance</c> it maps <c>GET /bare/balance</c>: a minimal-API endpoint behind the same
/// authentication and authorization that reads the one balance row with raw ADO.NET. A host for writes
/// (<c>writes: true</c>, the store's write settings) also maps <c>POST /library/job</c>, <c>.RequireCredits</c> on a
/// handler that does nothing (reserve, handler, capture), and <c>POST /bare/job</c>, one raw deduction (the three writes).
/// </summary>
internal sealed class HttpBench : IAsyncDisposable
{
    public const string LibraryPath = "/api/credits/balance";
    public const string BarePath = "/bare/balance";
    public const string LibraryJobPath = "/library/job";
    public const string BareJobPath = "/bare/job";

    private readonly WebApplication app;
    private readonly HttpClient client;

    private HttpBench(WebApplication app, Uri address)
    {
        this.app = app;
        client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseCookies = false, UseProxy = false })
        {
            BaseAddress = address,
        };
    }

    public static async Task<HttpBench> StartAsync(BenchStore store, bool writes = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddDbContextPool<CreditsDbContext>(writes ? store.UseProvider : store.UseReadProvider);
        builder.Services.AddMediaForgeCredits(builder.Configuration).UseEntityFrameworkCore<CreditsDbContext>();
        builder.Services.AddAuthentication(HeaderAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCreditEndpoints();
        app.MapGet(BarePath, async (ClaimsPrincipal principal, CancellationToken ct) =>
        {
            var userId = principal.FindFirst("sub")!.Value;
            await using var connection = await store.OpenForReadsAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT balance, reserved FROM credits WHERE user_id = @u";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@u";
            parameter.Value = userId;
            command.Parameters.Add(parameter);
            await using var reader = await command.ExecuteReaderAsync(ct);
            long balance = 0, reserved = 0;
            if (await reader.ReadAsync(ct))
            {
                balance = reader.GetInt64(0);
                reserved = reader.GetInt64(1);
            }

            return Results.Ok(new BareBalance(userId, balance, balance - reserved, false));
        }).RequireAuthorization();
        if (writes)
        {
            app.MapPost(LibraryJobPath, () => Results.Ok()).RequireCredits("image-generation", "default");
            app.MapPost(BareJobPath, async (ClaimsPrincipal principal) =>
                await store.RawDeductAsync(principal.FindFirst("sub")!.Value, BenchContext.Cost) ? Results.Ok() : Results.StatusCode(StatusCodes.Status402PaymentRequired))
                .RequireAuthorization();
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpBench(app, new Uri(address));
    }

    /// <summary>One GET as the user; true when it answered 200 with a body.</summary>
    public async Task<bool> GetAsync(string path, string userId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(HeaderAuthentication.Header, userId);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
        }

        return (await response.Content.ReadAsByteArrayAsync()).Length > 0;
    }

    /// <summary>One POST as the user: true when it answered 200, false for 402 (no credits).</summary>
    public async Task<bool> PostAsync(string path, string userId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add(HeaderAuthentication.Header, userId);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.PaymentRequired => false,
            _ => throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed record BareBalance(string UserId, long Balance, long Available, bool IsUnlimited);

    /// <summary>Signs in the user named by the <c>X-User</c> header (claim <c>sub</c>).</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Header";
        public const string Header = "X-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[Header].ToString() is not { Length: > 0 } user)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", user)], SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
