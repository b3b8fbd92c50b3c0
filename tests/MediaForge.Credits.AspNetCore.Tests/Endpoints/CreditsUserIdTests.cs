using System.Net.Http.Json;
using System.Security.Claims;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary><c>GetCreditsUserId()</c>: the id the add-on's endpoints use, for a host's own handlers.</summary>
public sealed class CreditsUserIdTests
{
    private static ClaimsPrincipal SignedIn(params Claim[] claims) => new(new ClaimsIdentity(claims, "Test"));

    [Fact]
    public void GetCreditsUserId_SubAndNameIdentifier_ReturnsSub()
    {
        var user = SignedIn(new Claim(ClaimTypes.NameIdentifier, "other"), new Claim("sub", "user_123"));

        Assert.Equal("user_123", user.GetCreditsUserId());
    }

    [Fact]
    public void GetCreditsUserId_OnlyNameIdentifier_ReturnsIt()
    {
        Assert.Equal("user_7", SignedIn(new Claim(ClaimTypes.NameIdentifier, "user_7")).GetCreditsUserId());
    }

    [Fact]
    public void GetCreditsUserId_BlankSub_FallsBackToNameIdentifier()
    {
        Assert.Equal("user_8", SignedIn(new Claim("sub", " "), new Claim(ClaimTypes.NameIdentifier, "user_8")).GetCreditsUserId());
    }

    [Fact]
    public void GetCreditsUserId_NotAuthenticated_ReturnsNull()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "user_123")]));

        Assert.Null(anonymous.GetCreditsUserId());
    }

    [Fact]
    public void GetCreditsUserId_HttpContext_UsesTheConfiguredClaimTypes()
    {
        var services = new ServiceCollection();
        services.AddOptions<CreditsHttpOptions>().Configure(o => { o.UserIdClaimTypes.Clear(); o.UserIdClaimTypes.Add("uid"); });
        var context = new DefaultHttpContext
        {
            RequestServices = services.BuildServiceProvider(),
            User = SignedIn(new Claim("sub", "from-sub"), new Claim("uid", "from-uid")),
        };

        Assert.Equal("from-uid", context.GetCreditsUserId());
    }
}

/// <summary>A host's handler and the add-on's endpoints see the same user id.</summary>
public abstract class CreditsUserIdHostTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task GetCreditsUserId_InAHostHandler_EqualsTheBalanceEndpointsUserId()
    {
        await using var app = await CreditsApp.StartAsync(Database, Database.ConnectionString,
            map: a => a.MapGet("/host/me", (HttpContext context) => TypedResults.Ok(context.GetCreditsUserId())));
        var client = app.Client(NewUser());

        var own = await client.GetFromJsonAsync<string>("/host/me");
        var balance = await client.GetFromJsonAsync<CreditBalanceResponse>("/api/credits/balance");

        Assert.Equal(balance!.UserId, own);
    }
}

public sealed class SqliteCreditsUserIdHostTests(SqliteCreditsDatabase database) : CreditsUserIdHostTests<SqliteCreditsDatabase>(database);

public sealed class PostgresCreditsUserIdHostTests(PostgresCreditsDatabase database) : CreditsUserIdHostTests<PostgresCreditsDatabase>(database);
