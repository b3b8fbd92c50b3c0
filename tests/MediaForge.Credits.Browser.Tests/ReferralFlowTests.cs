using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>The sample's referral link: shown by &lt;credit-referral&gt;, opened in a second browser session, the bonus on sign-up.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReferralFlowTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    private readonly ChromiumFixture browser = chromium;

    [Fact]
    public async Task ReferralLink_OpenedInASecondSessionBeforeSignUp_GivesTheFriendTheBonus()
    {
        await SignInAsync();
        var referral = Page.Locator("credit-referral");
        await Assertions.Expect(referral).ToHaveAttributeAsync("data-state", "ready");
        var link = await referral.GetAttributeAsync("data-link");
        Assert.StartsWith(App.BaseUrl.TrimEnd('/') + "/?ref=", link, StringComparison.Ordinal);
        await ScreenshotAsync("09-referral-link");

        await using var friend = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var page = await friend.NewPageAsync();
        await page.GotoAsync(link!);
        await page.Locator("#name").FillAsync("Friend");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as demo user" }).ClickAsync();

        await Assertions.Expect(page.Locator("#referral-notice[data-state='ok']")).ToContainTextAsync("10 bonus credits added");
        await Assertions.Expect(page.Locator("#balance .value")).ToHaveTextAsync("60 credits");
        Assert.DoesNotContain("ref=", page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotFolder, "10-referred-friend-60-credits.png"), FullPage = true });

        await referral.EvaluateAsync("element => element.refresh()");
        await Assertions.Expect(Page.Locator("credit-referral .stats")).ToHaveTextAsync("1 referred · 0 credits earned");
    }

    [Fact]
    public async Task ReferralLink_OwnLink_IsRefusedAndGivesNothing()
    {
        await SignInAsync();
        var link = await Page.Locator("credit-referral[data-state='ready']").GetAttributeAsync("data-link");

        await Page.GotoAsync(link!);

        await Assertions.Expect(Page.Locator("#referral-notice[data-state='refused']")).ToContainTextAsync("You cannot use your own referral code.");
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
    }
}
