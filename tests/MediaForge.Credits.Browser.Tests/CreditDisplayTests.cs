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
    public async Task LowBalance_BelowTheSamplesThreshold_ShowsTheLowStateAndLabel()
    {
        await SignInAsync();
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await Assertions.Expect(Display).Not.ToHaveAttributeAsync("data-low", "");

        for (var i = 0; i < 3; i++)
        {
            // video-generation/veo2 costs 15: 50 → 5, below the sample's threshold of 20.
            await App.WithServiceAsync<ICreditService, CreditDeductionResult>(c => c.DeductCreditsAsync("user_demo", "video-generation", "veo2"));
        }

        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");

        await Assertions.Expect(Balance).ToHaveTextAsync("5 credits");
        await Assertions.Expect(Display).ToHaveAttributeAsync("data-low", "");
        await Assertions.Expect(Page.Locator("#balance .pill.low")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#balance .low-label")).ToHaveTextAsync("Low");
        await ScreenshotAsync("17-balance-low-state");
    }

    [Fact]
    public async Task LowBalance_GrantBackAboveTheThreshold_ClearsTheLowState()
    {
        await SignInAsync();
        for (var i = 0; i < 3; i++)
        {
            await App.WithServiceAsync<ICreditService, CreditDeductionResult>(c => c.DeductCreditsAsync("user_demo", "video-generation", "veo2"));
        }

        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");
        await Assertions.Expect(Display).ToHaveAttributeAsync("data-low", "");

        await App.WithServiceAsync<ICreditService, CreditTransactionResult>(c =>
            c.AddCreditsAsync("user_demo", 100, CreditTransactionType.Adjustment, "Top-up by support"));
        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");

        await Assertions.Expect(Balance).ToHaveTextAsync("105 credits");
        await Assertions.Expect(Display).Not.ToHaveAttributeAsync("data-low", "");
        await Assertions.Expect(Page.Locator("#balance .low-label")).ToBeHiddenAsync();
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
        // The API fails until the moment of the click: a refresh of the page's own (a late one after sign-in, the
        // periodic one) cannot recover the display first and hide the button under the click.
        var recovered = false;
        await Page.RouteAsync("**/api/credits/balance", route => recovered ? route.ContinueAsync() : route.FulfillAsync(new RouteFulfillOptions { Status = 500 }));
        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");
        await Assertions.Expect(Display).ToHaveAttributeAsync("data-state", "error");
        var retry = Page.Locator("#balance .retry");
        await Assertions.Expect(retry).ToBeVisibleAsync();
        await Page.ExposeFunctionAsync("recoverBalanceApi", () => { recovered = true; });

        await retry.EvaluateAsync("async button => { await window.recoverBalanceApi(); button.click(); }");

        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
    }
}
