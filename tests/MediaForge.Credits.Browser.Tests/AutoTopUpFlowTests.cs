using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>
/// Auto top-up in the sample on the development gateway: a purchase keeps its card, the settings section of
/// &lt;credit-purchase&gt; turns auto top-up on, a feature use crosses the threshold, and the worker's off-session
/// charge (paid by the gateway, reported by its webhook) brings the pack's credits. A declined card pauses it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AutoTopUpFlowTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    private ILocator Section => Page.Locator("#buy credit-purchase section.auto");

    /// <summary>Signs in, buys Pro keeping the card (balance 250), and saves auto top-up below 248 with Pro, twice a month.</summary>
    private async Task EnableAsync()
    {
        await SignInAsync();
        await Section.Locator("summary").ClickAsync();
        await Section.Locator("[name=keepCard]").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Buy Pro: 200 credits for $29.99" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pay $29.99" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToContainTextAsync("Payment received: 200 credits added");
        await Assertions.Expect(Balance).ToHaveTextAsync("250 credits");

        await Section.Locator("summary").ClickAsync();
        await Assertions.Expect(Section.Locator(".status")).ToContainTextAsync("A card is kept");
        await Section.Locator("[name=enabled]").CheckAsync();
        await Section.Locator("[name=threshold]").FillAsync("248");
        await Section.Locator("[name=packageId]").SelectOptionAsync("pro");
        await Section.Locator("[name=maxTopUpsPerMonth]").FillAsync("2");
        await Section.Locator("[name=maxAmount]").FillAsync("100");
        await Section.GetByRole(AriaRole.Button, new() { Name = "Save auto top-up" }).ClickAsync();
        await Assertions.Expect(Section.Locator(".status")).ToHaveTextAsync("On. 0 of 2 top-ups used this month ($0.00).");
    }

    /// <summary>Asks the components to reload until the balance reads <paramref name="text"/> (the worker polls every few seconds).</summary>
    private async Task WaitForBalanceAsync(string text)
    {
        for (var i = 0; i < 40 && await Balance.TextContentAsync() != text; i++)
        {
            await Page.WaitForTimeoutAsync(500);
            await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");
        }

        await Assertions.Expect(Balance).ToHaveTextAsync(text);
    }

    [Fact]
    public async Task AutoTopUp_FeatureUseCrossesTheThreshold_TheProPackArrivesOnce()
    {
        await EnableAsync();
        await ScreenshotAsync("15-auto-top-up-settings");

        await UseFeatureAsync("image-generation", "default"); // 250 → 247: below 248

        await WaitForBalanceAsync("447 credits");
        await UseFeatureAsync("image-generation", "default"); // 444: far above the threshold again
        await Assertions.Expect(Section.Locator(".status")).ToHaveTextAsync("On. 1 of 2 top-ups used this month ($29.99).");
        await ScreenshotAsync("16-auto-top-up-arrived");
    }

    [Fact]
    public async Task AutoTopUp_CardDeclined_TheBalanceStaysAndTheSectionSaysWhy()
    {
        await EnableAsync();
        await Page.APIRequest.PostAsync("/_mediaforge/checkout/off-session?decline=true");

        await UseFeatureAsync("image-generation", "default"); // 247: crosses, the charge is declined

        await WaitForStatusAsync("declined");
        await Assertions.Expect(Section.Locator(".status")).ToHaveTextAsync("The last charge was declined (1 in a row); it is tried again later.");
        await Assertions.Expect(Balance).ToHaveTextAsync("247 credits");
        await ScreenshotAsync("17-auto-top-up-declined");
    }

    [Fact]
    public async Task AutoTopUp_SettingsBeingEdited_AreKeptWhenThePurchaseReloads()
    {
        await SignInAndSettleAsync();
        await Section.Locator("summary").ClickAsync();
        await Section.Locator("[name=enabled]").CheckAsync();
        await Section.Locator("[name=threshold]").FillAsync("120");
        await Section.Locator("[name=packageId]").SelectOptionAsync("enterprise");
        await Section.Locator("[name=maxTopUpsPerMonth]").FillAsync("4");

        await ReloadPurchaseAsync();

        await Assertions.Expect(Section.Locator("[name=enabled]")).ToBeCheckedAsync();
        await Assertions.Expect(Section.Locator("[name=threshold]")).ToHaveValueAsync("120");
        await Assertions.Expect(Section.Locator("[name=packageId]")).ToHaveValueAsync("enterprise");
        await Assertions.Expect(Section.Locator("[name=maxTopUpsPerMonth]")).ToHaveValueAsync("4");
    }

    private async Task WaitForStatusAsync(string fragment)
    {
        for (var i = 0; i < 40 && !((await Section.Locator(".status").TextContentAsync()) ?? "").Contains(fragment, StringComparison.Ordinal); i++)
        {
            await Page.WaitForTimeoutAsync(500);
            await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");
        }
    }
}
