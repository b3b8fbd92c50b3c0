using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MediaForge.Credits.Package.Tests.Infrastructure;

namespace MediaForge.Credits.Package.Tests;

/// <summary>
/// The README's complete host, built in a fresh <c>dotnet new web</c> project from the packed packages and run in
/// Development, over real HTTP: what a new user does by following the README.
/// </summary>
[Collection(PackageConsumerCollection.Name)]
public sealed class ConsumerHostTests(PackageConsumer consumer)
{
    [Fact]
    public async Task Packages_AnonymousGet_ListsStarterProAndEnterprise()
    {
        using var client = consumer.CreateClient();

        var packages = await client.GetFromJsonAsync<JsonElement>("/api/credits/packages");

        Assert.Equal(["starter:50", "pro:200", "enterprise:1000"],
            packages.EnumerateArray().Select(p => $"{p.GetProperty("id").GetString()}:{p.GetProperty("credits").GetInt32()}"));
    }

    [Fact]
    public async Task ClerkWebhook_SvixSignedUserCreated_Grants50SignUpCredits()
    {
        using var client = consumer.CreateClient();

        using var webhook = SvixWebhook.UserCreated(consumer.ClerkWebhookSecret, "user_signed", TimeProvider.System);

        using var response = await client.SendAsync(webhook);

        await AssertSucceededThenBalanceIsAsync(client, response, "user_signed", 50);
    }

    [Fact]
    public async Task DevSignUp_ReadmeCurlWithUserJwtsToken_Grants50SignUpCredits()
    {
        using var client = consumer.CreateClient();

        using var response = await SendAsUserAsync(client, HttpMethod.Post, "/dev/sign-up", "user_readme");

        await AssertSucceededThenBalanceIsAsync(client, response, "user_readme", 50);
    }

    [Fact]
    public async Task Videos_PostAfterSignUp_Charges8Credits()
    {
        using var client = consumer.CreateClient();
        await SignUpAsync(client, "user_video");

        using var response = await SendAsUserAsync(client, HttpMethod.Post, "/api/videos", "user_video", new { prompt = "a cat on a skateboard" });

        await AssertSucceededThenBalanceIsAsync(client, response, "user_video", 42);
    }

    [Fact]
    public async Task DevelopmentCheckout_PayForProPack_Adds200Credits()
    {
        using var client = consumer.CreateClient();
        await SignUpAsync(client, "user_buyer");
        using var session = await SendAsUserAsync(client, HttpMethod.Post, "/api/stripe/create-checkout-session", "user_buyer", new { packageId = "pro" });
        Assert.True(session.IsSuccessStatusCode, await DescribeAsync(session));
        var checkoutUrl = (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;

        using var pay = await client.PostAsync(checkoutUrl.TrimEnd('/') + "/pay", content: null);

        await AssertSucceededThenBalanceIsAsync(client, pay, "user_buyer", 250);
    }

    private async Task SignUpAsync(HttpClient client, string user)
    {
        using var webhook = SvixWebhook.UserCreated(consumer.ClerkWebhookSecret, user, TimeProvider.System);
        using var response = await client.SendAsync(webhook);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await DescribeAsync(response));
    }

    /// <summary>The call answered 200 (a redirect, for the checkout's Pay) and the user's balance is now <paramref name="expected"/>.</summary>
    private async Task AssertSucceededThenBalanceIsAsync(HttpClient client, HttpResponseMessage response, string user, int expected)
    {
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, await DescribeAsync(response));
        Assert.Equal(expected, await BalanceAsync(client, user));
    }

    private async Task<int> BalanceAsync(HttpClient client, string user)
    {
        using var response = await SendAsUserAsync(client, HttpMethod.Get, "/api/credits/balance", user);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await DescribeAsync(response));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetInt32();
    }

    /// <summary>Calls the host as <paramref name="user"/>, with the bearer token <c>dotnet user-jwts</c> issued.</summary>
    private async Task<HttpResponseMessage> SendAsUserAsync(HttpClient client, HttpMethod method, string path, string user, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", consumer.TokenOf(user));
        return await client.SendAsync(request);
    }

    private async Task<string> DescribeAsync(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\nhost output:\n{consumer.HostOutput}";
}
