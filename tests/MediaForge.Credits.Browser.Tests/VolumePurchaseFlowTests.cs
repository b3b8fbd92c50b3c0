using MediaForge.Credits.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests;

/// <summary>
/// Volume discounts in the sample: &lt;credit-purchase&gt; lists a pack's tiers with what each saves, quotes the number
/// of packs typed (the server's price), and the test checkout charges exactly that price for the volume's credits.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VolumePurchaseFlowTests(ChromiumFixture chromium) : SamplePageTests(chromium)
{
    private const string ProDescription = "200 credits for regular creators";

    private ILocator ProCard => Page.Locator("#buy credit-purchase article.pack[data-package='pro']");

    [Fact]
    public async Task ProPack_TwentyFivePacksTyped_ShowsTheTierAndSavingAndTheCheckoutChargesTheServersPrice()
    {
        await SignInAsync();
        await Assertions.Expect(ProCard.Locator(".tiers li")).ToHaveTextAsync(["5+ packs (1,000 credits): 5% off, save $7.50", "25+ packs (5,000 credits): 10% off, save $74.97"]);

        await ProCard.GetByLabel("Number of Pro packs").FillAsync("25");

        await Assertions.Expect(ProCard.Locator(".quote")).ToHaveTextAsync("5,000 credits for $674.78 (10% off, save $74.97)");
        await Assertions.Expect(ProCard.Locator(".tiers li.reached")).ToHaveCountAsync(2);
        await ScreenshotAsync("13-volume-tiers-and-saving");

        await ProCard.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid='dev-checkout-amount']")).ToHaveTextAsync("$674.78");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pay $674.78" }).ClickAsync();

        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToContainTextAsync("Payment received: 5,000 credits added");
        await Assertions.Expect(Balance).ToHaveTextAsync("5,050 credits");
        await ScreenshotAsync("14-volume-purchase-completed");
    }

    [Fact]
    public async Task ProPack_QuantityThatIsNotAWholeNumber_SaysSoAndStartsNoCheckout()
    {
        await SignInAsync();
        await Assertions.Expect(ProCard.Locator(".tiers li")).ToHaveCountAsync(2);

        await ProCard.GetByLabel("Number of Pro packs").FillAsync("0");
        await ProCard.GetByRole(AriaRole.Button).ClickAsync();

        await Assertions.Expect(ProCard.Locator(".quote")).ToHaveTextAsync("Enter a whole number of packs.");
        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToContainTextAsync("Not a number of packs");
        Assert.DoesNotContain("checkout", new Uri(Page.Url).AbsolutePath, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ProPack_FieldBeingTypedIn_KeepsItsFocusAndItsNumberWhenThePacksReload()
    {
        await SignInAndSettleAsync();
        await Assertions.Expect(ProCard.Locator(".tiers li")).ToHaveCountAsync(2);
        await ProCard.GetByLabel("Number of Pro packs").FillAsync("2");
        await Assertions.Expect(ProCard.Locator(".quote")).ToContainTextAsync("400 credits");

        await ReloadPurchaseAsync();
        await Page.Keyboard.PressAsync("Backspace");
        await Page.Keyboard.TypeAsync("0");

        await Assertions.Expect(ProCard.GetByLabel("Number of Pro packs")).ToHaveValueAsync("0");
        await ProCard.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(Page.Locator("#buy credit-purchase .message")).ToContainTextAsync("Not a number of packs");
        Assert.DoesNotContain("checkout", new Uri(Page.Url).AbsolutePath, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ProPack_FieldBeingTypedInWhileAnotherPackChanges_KeepsItsFocusAndItsNumber()
    {
        await SignInAndSettleAsync();
        await Assertions.Expect(ProCard.Locator(".tiers li")).ToHaveCountAsync(2);
        await ProCard.GetByLabel("Number of Pro packs").FillAsync("2");
        await Assertions.Expect(ProCard.Locator(".quote")).ToContainTextAsync("400 credits");
        await RewritePacksAsync("50 free credits to try every feature", "Now with a tour");

        await ReloadPurchaseAsync();
        await Assertions.Expect(Purchase.Locator("article.pack[data-package='starter'] .desc")).ToHaveTextAsync("Now with a tour");
        await Page.Keyboard.TypeAsync("5");

        await Assertions.Expect(ProCard.GetByLabel("Number of Pro packs")).ToHaveValueAsync("25");
        await Assertions.Expect(ProCard.Locator(".quote")).ToContainTextAsync("5,000 credits");
    }

    [Fact]
    public async Task Packs_AnOlderReloadAnsweredLast_DoNotDrawOverTheNewerOne()
    {
        await SignInAndSettleAsync();
        var holding = true;
        var release = new TaskCompletionSource();
        var held = new List<Task>();
        await Page.RouteAsync("**/api/credits/packages", route =>
        {
            var older = holding;
            var answered = AnswerAsync(route, ProDescription, older ? "Older answer" : "Newer answer", older ? release.Task : Task.CompletedTask);
            if (older) lock (held) held.Add(answered);
            return answered;
        });
        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");
        await Page.WaitForTimeoutAsync(500); // the older reload's requests are out and held

        holding = false;
        await ReloadPurchaseAsync();
        await Assertions.Expect(ProCard.Locator(".desc")).ToHaveTextAsync("Newer answer");
        release.SetResult();
        Task[] olderAnswers;
        lock (held) olderAnswers = [.. held];
        await Task.WhenAll(olderAnswers);
        await Page.EvaluateAsync("() => new Promise(resolve => setTimeout(resolve, 300))");

        Assert.Equal("Newer answer", await ProCard.Locator(".desc").TextContentAsync());
    }

    /// <summary>Answers every request for the packages with the server's answer, <paramref name="from"/> replaced by <paramref name="to"/>.</summary>
    private Task RewritePacksAsync(string from, string to) =>
        Page.RouteAsync("**/api/credits/packages", route => AnswerAsync(route, from, to, Task.CompletedTask));

    /// <summary>Fetches the server's answer, replaces <paramref name="from"/> by <paramref name="to"/> and answers once <paramref name="answerAfter"/> is done.</summary>
    private static async Task AnswerAsync(IRoute route, string from, string to, Task answerAfter)
    {
        var response = await route.FetchAsync();
        var body = (await response.TextAsync()).Replace(from, to, StringComparison.Ordinal);
        await answerAfter;
        await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = body });
    }

    [Fact]
    public async Task ProPack_ChangedOnTheServerWhileANumberIsTyped_IsDrawnAgainWithThatNumber()
    {
        await SignInAndSettleAsync();
        await Assertions.Expect(ProCard.Locator(".tiers li")).ToHaveCountAsync(2);
        await ProCard.GetByLabel("Number of Pro packs").FillAsync("25");
        await Assertions.Expect(ProCard.Locator(".quote")).ToContainTextAsync("5,000 credits");
        await RewritePacksAsync(ProDescription, "Now with priority queueing");

        await ReloadPurchaseAsync();

        await Assertions.Expect(ProCard.Locator(".desc")).ToHaveTextAsync("Now with priority queueing");
        await Assertions.Expect(ProCard.GetByLabel("Number of Pro packs")).ToHaveValueAsync("25");
        await Assertions.Expect(ProCard.Locator(".quote")).ToContainTextAsync("5,000 credits");
    }
}
