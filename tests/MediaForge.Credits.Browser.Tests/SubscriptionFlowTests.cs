using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>
/// The sample's Creator plan (500 credits a month, up to 250 carried over) on the development gateway: subscribing
/// grants the first month's allowance, &lt;credit-display&gt; shows the plan and what is left of it, jobs spend the
/// allowance before the sign-up credits, and a renewal carries the unused allowance over up to the cap.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SubscriptionFlowTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    private ILocator Plan => Page.Locator("#balance .plan");

    [Fact]
    public async Task CreatorPlan_Subscribed_GrantsTheAllowanceAndTheDisplayShowsThePlan()
    {
        await SignInAsync();
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");

        await SubscribeAsync();

        await Assertions.Expect(Balance).ToHaveTextAsync("550 credits");
        await Assertions.Expect(Plan).ToContainTextAsync("Creator: 500 of 500 left · renews ");
        await ScreenshotAsync("19-creator-plan-subscribed");
    }

    [Fact]
    public async Task CreatorPlan_JobAndRenewal_SpendsTheAllowanceFirstAndCarriesTheCapOver()
    {
        await SignInAsync();
        await SubscribeAsync();
        await Assertions.Expect(Plan).ToContainTextAsync("Creator: 500 of 500 left");

        await UseFeatureAsync("video-generation", "veo2");
        await Assertions.Expect(Balance).ToHaveTextAsync("535 credits");
        await Assertions.Expect(Plan).ToContainTextAsync("Creator: 485 of 500 left"); // the sign-up's 50 are untouched

        await Page.GotoAsync("/_mediaforge/checkout/subscriptions");
        await Page.GetByTestId("dev-subscription-renew").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("dev-subscription-renew")).ToBeVisibleAsync();
        await Page.GotoAsync("/");
        await Assertions.Expect(Page.Locator("#signed-in")).ToBeVisibleAsync();

        // 485 unused: 250 carried (the cap), 235 expired; the new month's 500 on top.
        await Assertions.Expect(Balance).ToHaveTextAsync("800 credits");
        await Assertions.Expect(Plan).ToContainTextAsync("Creator: 750 of 500 left");
        await ScreenshotAsync("20-creator-plan-renewed-with-rollover");
    }

    private async Task SubscribeAsync()
    {
        await Page.GetByTestId("subscribe-creator").ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid='dev-checkout-amount']")).ToHaveTextAsync("$19.00");
        await Page.GetByTestId("dev-checkout-pay").ClickAsync();
        await Assertions.Expect(Page.Locator("#signed-in")).ToBeVisibleAsync();
    }
}
