using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>
/// The sample's gifts: &lt;credit-gift&gt; sends credits and shows the link, a friend opens it in a second browser session,
/// signs in and gets the credits; a used link gets the generic answer; a pack bought as a gift on the test checkout
/// reveals its code.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GiftFlowTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    private readonly ChromiumFixture browser = chromium;

    private ILocator Gift => Page.Locator("credit-gift");

    /// <summary>Sends <paramref name="amount"/> credits with a note from the signed-in user's page and returns the link shown.</summary>
    private async Task<string> SendGiftAsync(int amount, string note)
    {
        await Assertions.Expect(Gift).ToHaveAttributeAsync("data-state", "ready");
        await Gift.GetByLabel("Credits to give", new() { Exact = true }).FillAsync(amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Gift.GetByLabel("Note (optional)").FillAsync(note);
        await Gift.GetByRole(AriaRole.Button, new() { Name = "Send gift" }).ClickAsync();
        await Assertions.Expect(Gift.Locator(".status")).ToContainTextAsync($"Gift of {amount} credits made");
        return (await Gift.GetAttributeAsync("data-link"))!;
    }

    /// <summary>Opens <paramref name="link"/> in a separate browser session and signs in there as a new demo user.</summary>
    private async Task<(IBrowserContext Context, IPage Page)> OpenInSecondSessionAsync(string link, string name)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        await page.Locator("#name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as demo user" }).ClickAsync();
        return (context, page);
    }

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotFolder, name + ".png"), FullPage = true });

    [Fact]
    public async Task GiftLink_OpenedInASecondSession_TheFriendRedeemsItAfterSignInAndBothBalancesMove()
    {
        await SignInAsync();

        var link = await SendGiftAsync(20, "Enjoy the videos!");

        Assert.StartsWith(App.BaseUrl + "/?gift=", link, StringComparison.Ordinal);
        await Assertions.Expect(Gift.Locator(".share .link")).ToHaveValueAsync(link);
        await Assertions.Expect(Balance).ToHaveTextAsync("30 credits");
        await ScreenshotAsync("11-gift-sent-with-link");

        var (friend, page) = await OpenInSecondSessionAsync(link, "Friend");
        await using (friend)
        {
            await Assertions.Expect(page.Locator("credit-gift")).ToHaveAttributeAsync("data-redeem", "redeemed");
            await Assertions.Expect(page.Locator("credit-gift .redeem")).ToContainTextAsync("Gift redeemed: 20 credits added");
            await Assertions.Expect(page.Locator("credit-gift .redeem")).ToContainTextAsync("Enjoy the videos!");
            await Assertions.Expect(page.Locator("#balance .value")).ToHaveTextAsync("70 credits");
            Assert.DoesNotContain("gift=", page.Url, StringComparison.Ordinal);
            await ShotAsync(page, "12-gift-redeemed-by-friend-70-credits");
        }

        await Gift.EvaluateAsync("element => element.refresh()");
        await Assertions.Expect(Gift.Locator(".sent tbody tr").First).ToHaveAttributeAsync("data-status", "Redeemed");
        await Assertions.Expect(Balance).ToHaveTextAsync("30 credits");
    }

    [Fact]
    public async Task GiftLink_OpenedAgainAfterItWasRedeemed_ShowsTheGenericAnswerAndGivesNothing()
    {
        await SignInAsync();
        var link = await SendGiftAsync(10, "First come");
        var (first, firstPage) = await OpenInSecondSessionAsync(link, "First");
        await using (first)
        {
            await Assertions.Expect(firstPage.Locator("credit-gift")).ToHaveAttributeAsync("data-redeem", "redeemed");
        }

        var (late, latePage) = await OpenInSecondSessionAsync(link, "Late");
        await using (late)
        {
            await Assertions.Expect(latePage.Locator("credit-gift")).ToHaveAttributeAsync("data-redeem", "invalid");
            await Assertions.Expect(latePage.Locator("credit-gift .redeem")).ToContainTextAsync("This gift link doesn't work");
            await Assertions.Expect(latePage.Locator("#balance .value")).ToHaveTextAsync("50 credits");
            await ShotAsync(latePage, "13-gift-link-used-generic-answer");
        }
    }

    [Fact]
    public async Task BuyAsGift_ThroughTheTestCheckout_RevealsTheCodeAndTheBuyerKeepsTheirCredits()
    {
        await SignInAsync();
        await Assertions.Expect(Gift).ToHaveAttributeAsync("data-state", "ready");
        await Gift.GetByLabel("Pack").SelectOptionAsync("pro");

        await Gift.GetByRole(AriaRole.Button, new() { Name = "Buy as a gift" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid='dev-checkout-amount']")).ToHaveTextAsync("$29.99");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pay $29.99" }).ClickAsync();

        await Assertions.Expect(Gift.Locator(".status")).ToContainTextAsync("Payment received: your gift of 200 credits is ready");
        var link = await Gift.GetAttributeAsync("data-link");
        Assert.StartsWith(App.BaseUrl + "/?gift=", link, StringComparison.Ordinal);
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        Assert.DoesNotContain("gift_checkout", Page.Url, StringComparison.Ordinal);
        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToBeHiddenAsync();
        await ScreenshotAsync("14-gift-bought-code-revealed");

        var (friend, page) = await OpenInSecondSessionAsync(link!, "Lucky");
        await using (friend)
        {
            await Assertions.Expect(page.Locator("#balance .value")).ToHaveTextAsync("250 credits");
        }
    }

    [Fact]
    public async Task CancelGift_FromTheList_TheCreditsAreSpendableAgain()
    {
        await SignInAsync();
        await SendGiftAsync(15, "Maybe later");
        await Assertions.Expect(Balance).ToHaveTextAsync("35 credits");

        await Gift.GetByRole(AriaRole.Button, new() { Name = "Cancel your gift of 15 credits" }).ClickAsync();

        await Assertions.Expect(Gift.Locator(".status")).ToContainTextAsync("Gift cancelled");
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await Assertions.Expect(Gift.Locator(".sent tbody tr").First).ToHaveAttributeAsync("data-status", "Cancelled");
    }
}
