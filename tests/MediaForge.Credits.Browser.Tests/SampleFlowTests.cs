using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>The sample's whole flow in Chromium: sign-up credits, feature use, running out, buying Pro on the test checkout, the ledger.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SampleFlowTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    [Fact]
    public async Task DemoFlow_SignInUseFeaturesRunOutBuyPro_BalanceAndLedgerFollowEveryStep()
    {
        var prices = (await App.WithServiceAsync<ICreditCatalog, IReadOnlyList<Entities.FeaturePrice>>(c => c.GetFeaturePricesAsync()))
            .ToDictionary(p => $"{p.Feature}/{p.Model}", p => p.Credits);
        await Page.GotoAsync("/");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign in as demo user" })).ToBeVisibleAsync();
        await ScreenshotAsync("01-signed-out");

        await SignInAsync();
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await ScreenshotAsync("02-signed-in-50-credits");

        var balance = 50L;
        foreach (var feature in new[] { "video-generation/hailuo", "video-generation/veo2", "map-animation/hailuo", "map-animation/veo2", "image-generation/default" })
        {
            var parts = feature.Split('/');
            await UseFeatureAsync(parts[0], parts[1]);
            balance -= prices[feature];
            await Assertions.Expect(Balance).ToHaveTextAsync($"{balance} credits");
        }

        await ScreenshotAsync("03-after-using-each-feature");

        await UseFeatureAsync("video-generation", "veo2");
        await Assertions.Expect(Page.Locator("#feature-notice[data-state='insufficient']")).ToContainTextAsync("Insufficient credits");
        await Assertions.Expect(Balance).ToHaveTextAsync($"{balance} credits");
        await ScreenshotAsync("04-insufficient-credits");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Buy Pro: 200 credits for $29.99" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid='dev-checkout-amount']")).ToHaveTextAsync("$29.99");
        await ScreenshotAsync("05-test-checkout");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pay $29.99" }).ClickAsync();

        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToContainTextAsync("Payment received: 200 credits added");
        await Assertions.Expect(Balance).ToHaveTextAsync($"{balance + 200} credits");
        var ledger = Page.Locator("#history tbody tr");
        await Assertions.Expect(ledger).ToHaveCountAsync(7);
        await Assertions.Expect(ledger.First).ToContainTextAsync("+200");
        await Assertions.Expect(ledger.Last).ToContainTextAsync("+50");
        await ScreenshotAsync("06-pro-purchased-with-ledger");
    }

    [Fact]
    public async Task DemoAdmin_UsesFeature_StaysUnlimited()
    {
        await SignInAsync(admin: true);
        await UseFeatureAsync("video-generation", "veo2");

        await Assertions.Expect(Page.Locator("#feature-notice[data-state='ok']")).ToContainTextAsync("No credits deducted");
        await Assertions.Expect(Balance).ToHaveTextAsync("Unlimited credits");
        await ScreenshotAsync("07-demo-admin-unlimited");
    }

    [Fact]
    public async Task TestCheckout_Cancel_ReturnsWithNoticeAndNoCredits()
    {
        await SignInAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Buy Enterprise: 1000 credits for $99.99" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel and return" }).ClickAsync();

        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToContainTextAsync("Checkout cancelled");
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
    }
}
