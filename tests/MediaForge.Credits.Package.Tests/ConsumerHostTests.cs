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

        Assert.True(response.StatusCode == HttpStatusCode.OK, await DescribeAsync(response));
        Assert.Equal(50, await BalanceAsync(client, "user_signed"));
    }

    [Fact]
    public async Task DevSignUp_ReadmeCurlWithUserJwtsToken_Grants50SignUpCredits()
    {
        using var client = consumer.CreateClient();

        using var signUp = Authorized(HttpMethod.Post, "/dev/sign-up", "user_readme");

        using var response = await client.SendAsync(signUp);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await DescribeAsync(response));
        Assert.Equal(50, await BalanceAsync(client, "user_readme"));
    }

    [Fact]
    public async Task Videos_PostAfterSignUp_Charges8Credits()
    {
        using var client = consumer.CreateClient();
        await SignUpAsync(client, "user_video");
        using var request = Authorized(HttpMethod.Post, "/api/videos", "user_video");
        request.Content = JsonContent.Create(new { prompt = "a cat on a skateboard" });

        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await DescribeAsync(response));
        Assert.Equal(42, await BalanceAsync(client, "user_video"));
    }

    [Fact]
    public async Task DevelopmentCheckout_PayForProPack_Adds200Credits()
    {
        using var client = consumer.CreateClient();
        await SignUpAsync(client, "user_buyer");
        using var create = Authorized(HttpMethod.Post, "/api/stripe/create-checkout-session", "user_buyer");
        create.Content = JsonContent.Create(new { packageId = "pro" });
        using var session = await client.SendAsync(create);
        Assert.True(session.IsSuccessStatusCode, await DescribeAsync(session));
        var checkoutUrl = (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;

        using var pay = await client.PostAsync(checkoutUrl.TrimEnd('/') + "/pay", content: null);

        Assert.True(pay.StatusCode == HttpStatusCode.Redirect, await DescribeAsync(pay));
        Assert.Equal(250, await BalanceAsync(client, "user_buyer"));
    }

    private async Task SignUpAsync(HttpClient client, string user)
    {
        using var webhook = SvixWebhook.UserCreated(consumer.ClerkWebhookSecret, user, TimeProvider.System);
        using var response = await client.SendAsync(webhook);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await DescribeAsync(response));
    }

    private async Task<int> BalanceAsync(HttpClient client, string user)
    {
        using var request = Authorized(HttpMethod.Get, "/api/credits/balance", user);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await DescribeAsync(response));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetInt32();
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path, string user)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", consumer.TokenOf(user));
        return request;
    }

    private async Task<string> DescribeAsync(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\nhost output:\n{consumer.HostOutput}";
}
