using System.Net.Http.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Gifts;

/// <summary>With gifts off (the default), every gift route and a gift checkout answer 404 <c>gifts_disabled</c> and change nothing.</summary>
public sealed class GiftsDisabledEndpointTests(SqliteCreditsDatabase database) : CreditsAppTests<SqliteCreditsDatabase>(database)
{
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/api/credits/gifts" },
        { "POST", "/api/credits/gifts" },
        { "POST", "/api/credits/gifts/redeem" },
        { "DELETE", "/api/credits/gifts/7f3e625f-44d4-4a6b-ba51-403cd52a8c11" },
        { "POST", "/api/credits/gifts/11790832-3053-4182-b08f-88d33e6f0a42/code" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task GiftRoute_GiftsOff_404GiftsDisabled(string method, string path)
    {
        var user = NewUser();
        await App.WithServiceAsync<CreditTransactionResult, ICreditService>(c => c.AddCreditsAsync(user, 50, CreditTransactionType.Bonus, "seed"));
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { amount = 5, code = "ABC" }) : null };

        var problem = await ProblemAnswer.ReadAsync(await App.Client(user).SendAsync(request));

        Assert.Equal((404, "gifts_disabled"), (problem.Status, problem.Code));
        Assert.Equal(50, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task CreateCheckoutSession_GiftWhileGiftsOff_404GiftsDisabledAndNoSession()
    {
        var response = await App.Client(NewUser()).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = "pro", gift = true });

        Assert.Equal((404, "gifts_disabled"), ((int)response.StatusCode, (await ProblemAnswer.ReadAsync(response)).Code));
        Assert.Empty(App.Stripe.CreateRequests);
    }
}
