using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>
/// The sample's demo team "Demo Studio": its owner (the demo user) sees the team balance with
/// &lt;credit-display wallet="team:demo-studio"&gt; and buys a pack for it on the test checkout with
/// &lt;credit-purchase wallet="team:demo-studio"&gt;; the teammate sees the same balance and no buy buttons. Both pick
/// the team as the wallet of the AI features and spend from it; the teammate (limit 20 credits a month) is refused
/// past the limit with member_limit_reached.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TeamFlowTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    private readonly ChromiumFixture browser = chromium;

    private ILocator TeamBalance => Page.Locator("#team credit-display .value");

    [Fact]
    public async Task DemoTeam_OwnerSignsIn_SeesTheEmptyTeamWalletBesideTheirOwnCredits()
    {
        await SignInAsync();

        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 0 credits");
        await Assertions.Expect(Page.Locator("#team credit-display")).ToHaveAttributeAsync("data-team", "demo-studio");
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await Assertions.Expect(Page.Locator("#team-lead")).ToHaveTextAsync("You are owner of Demo Studio. Its credits are shared by its members.");
    }

    [Fact]
    public async Task DemoTeam_OwnerBuysProForTheTeam_TheTeamBalanceMovesAndTheirOwnDoesNot()
    {
        await SignInAsync();
        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 0 credits");
        await Assertions.Expect(Page.Locator("#team credit-purchase")).ToHaveAttributeAsync("data-state", "ready");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Buy Pro for the team: 200 credits for $29.99" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid='dev-checkout-amount']")).ToHaveTextAsync("$29.99");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pay $29.99" }).ClickAsync();

        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToContainTextAsync("The team's balance is 200 credits.");
        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 200 credits");
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await ScreenshotAsync("15-team-wallet-pro-bought-for-the-team");
    }

    [Fact]
    public async Task DemoTeam_TeammateSignsIn_SeesTheTeamBalanceAndOnlyTheirOwnRowAndNoBuyButtons()
    {
        await SignInAsync();
        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 0 credits");
        await Assertions.Expect(Page.Locator("#team credit-purchase")).ToHaveAttributeAsync("data-state", "ready");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Buy Pro for the team: 200 credits for $29.99" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pay $29.99" }).ClickAsync();
        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 200 credits");

        await using var teammate = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        var page = await teammate.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("#name").FillAsync("Teammate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as demo user" }).ClickAsync();

        await Assertions.Expect(page.Locator("#team credit-display .value")).ToHaveTextAsync("Demo Studio: 200 credits");
        await Assertions.Expect(page.Locator("#team-lead")).ToHaveTextAsync("You are member of Demo Studio. Its credits are shared by its members.");
        await Assertions.Expect(page.Locator("#team-members tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#team-members tbody tr")).ToContainTextAsync("user_demo_teammate");
        await Assertions.Expect(page.Locator("#team credit-purchase")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotFolder, "16-team-wallet-seen-by-the-teammate.png"), FullPage = true });
    }

    [Fact]
    public async Task DemoTeam_OwnerRunsAJobFromTheTeam_TheTeamBalanceDropsAndTheirOwnDoesNot()
    {
        await SignInAsync();
        await BuyProForTheTeamAsync();

        await Page.Locator("#wallet").SelectOptionAsync(new SelectOptionValue { Label = "Demo Studio (team)" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Generate: Video generation with Veo 2 (15 credits)" }).ClickAsync();

        await Assertions.Expect(Page.Locator("#feature-notice")).ToHaveAttributeAsync("data-state", "ok");
        await Assertions.Expect(Page.Locator("#feature-notice")).ToContainTextAsync("−15 credits, 185 left.");
        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 185 credits");
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");
        await Assertions.Expect(Page.Locator("#team-members tbody tr", new() { HasText = "user_demo" }).First).ToContainTextAsync("15");
        await ScreenshotAsync("17-team-wallet-job-paid-by-the-team");
    }

    [Fact]
    public async Task DemoTeam_TeammateSpendsFromTheTeamUpToTheLimit_ThenSeesMemberLimitReached()
    {
        await SignInAsync();
        await BuyProForTheTeamAsync();
        await using var teammate = await TeammateAsync();
        var page = teammate.Pages[0];
        await page.Locator("#wallet").SelectOptionAsync(new SelectOptionValue { Label = "Demo Studio (team)" });
        var veo2 = page.GetByRole(AriaRole.Button, new() { Name = "Generate: Video generation with Veo 2 (15 credits)" });

        await veo2.ClickAsync();
        await Assertions.Expect(page.Locator("#feature-notice")).ToHaveAttributeAsync("data-state", "ok");
        await Assertions.Expect(page.Locator("#team credit-display .value")).ToHaveTextAsync("Demo Studio: 185 credits");
        await veo2.ClickAsync();

        await Assertions.Expect(page.Locator("#feature-notice")).ToHaveAttributeAsync("data-state", "member_limit_reached");
        await Assertions.Expect(page.Locator("#feature-notice")).ToContainTextAsync("Member limit reached");
        await Assertions.Expect(page.Locator("#team credit-display .value")).ToHaveTextAsync("Demo Studio: 185 credits");
        await Assertions.Expect(page.Locator("#team-members tbody tr")).ToContainTextAsync("15");
        await Assertions.Expect(page.Locator("#team-members tbody tr")).ToContainTextAsync("20");
        await Assertions.Expect(page.Locator("#balance .value")).ToHaveTextAsync("50 credits");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotFolder, "18-team-wallet-member-limit-reached.png"), FullPage = true });
    }

    [Fact]
    public async Task SignedInOutsideTheDemoTeam_NoTeamSection()
    {
        await Page.GotoAsync("/");
        await Page.Locator("#name").FillAsync("Stranger");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in as demo user" }).ClickAsync();
        await Assertions.Expect(Balance).ToHaveTextAsync("50 credits");

        await Assertions.Expect(Page.Locator("#team")).ToBeHiddenAsync();
        await Assertions.Expect(Page.Locator("#team credit-display")).ToHaveCountAsync(0);
    }

    /// <summary>The signed-in owner buys Pro (200 credits) for the team on the test checkout.</summary>
    private async Task BuyProForTheTeamAsync()
    {
        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 0 credits");
        await Assertions.Expect(Page.Locator("#team credit-purchase")).ToHaveAttributeAsync("data-state", "ready");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Buy Pro for the team: 200 credits for $29.99" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pay $29.99" }).ClickAsync();
        await Assertions.Expect(TeamBalance).ToHaveTextAsync("Demo Studio: 200 credits");
    }

    /// <summary>A second browser context signed in as "Teammate", the way the sample's sign-in allows.</summary>
    private async Task<IBrowserContext> TeammateAsync()
    {
        var teammate = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        var page = await teammate.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("#name").FillAsync("Teammate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as demo user" }).ClickAsync();
        await Assertions.Expect(page.Locator("#team credit-display .value")).ToHaveTextAsync("Demo Studio: 200 credits");
        return teammate;
    }
}
