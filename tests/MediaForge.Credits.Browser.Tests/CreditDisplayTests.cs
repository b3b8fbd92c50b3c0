using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>&lt;credit-display&gt;: periodic refresh and the error state.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CreditDisplayTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    [Fact]
    public async Task RefreshInterval_ServerSideGrant_AppearsWithoutReload()
    {
        await SignInAsync();
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await Page.EvaluateAsync("() => { window.__sameDocument = true; document.querySelector('credit-display').setAttribute('refresh-interval', '0.5'); }");

        await App.WithServiceAsync<ICreditService, CreditTransactionResult>(c =>
            c.AddCreditsAsync("user_demo", 100, CreditTransactionType.Adjustment, "Granted by support while the page is open"));

        await Assertions.Expect(Balance).ToHaveTextAsync("150 credits");
        Assert.True(await Page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
    }

    [Fact]
    public async Task BalanceApiFails_ShowsErrorStateWithRetry()
    {
        await SignInAsync();
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await Page.RouteAsync("**/api/credits/balance", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 500,
            ContentType = "application/problem+json",
            Body = """{"type":"about:blank","title":"Server error","status":500}""",
        }));

        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");

        await Assertions.Expect(Display).ToHaveAttributeAsync("data-state", "error");
        await Assertions.Expect(Balance).ToHaveTextAsync("Couldn't load credits");
        await Assertions.Expect(Page.Locator("#balance .retry")).ToBeVisibleAsync();
        await ScreenshotAsync("08-balance-error-state");
    }

    [Fact]
    public async Task Retry_AfterApiRecovers_ShowsBalance()
    {
        await SignInAsync();
        await Page.RouteAsync("**/api/credits/balance", route => route.FulfillAsync(new RouteFulfillOptions { Status = 500 }));
        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");
        await Assertions.Expect(Display).ToHaveAttributeAsync("data-state", "error");
        await Page.UnrouteAsync("**/api/credits/balance");

        await Page.Locator("#balance .retry").ClickAsync();

        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
    }
}
