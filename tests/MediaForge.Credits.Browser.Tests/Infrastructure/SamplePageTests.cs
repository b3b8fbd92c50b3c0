using Microsoft.Playwright;

namespace MediaForge.Credits.Browser.Tests.Infrastructure;

/// <summary>Base of the browser tests: a fresh sample app (own database) and a fresh browser context per test.</summary>
public abstract class SamplePageTests(ChromiumFixture chromium) : IAsyncLifetime
{
    protected SampleApp App { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    private IBrowserContext context = null!;

    /// <summary>The balance pill of <c>&lt;credit-display&gt;</c> (Playwright's CSS pierces its shadow root).</summary>
    protected ILocator Balance => Page.Locator("#balance .value");

    protected ILocator Display => Page.Locator("#balance");

    public async Task InitializeAsync()
    {
        App = await SampleApp.StartAsync();
        context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        Page = await context.NewPageAsync();
        Page.SetDefaultTimeout(15_000);
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    public async Task DisposeAsync()
    {
        await context.DisposeAsync();
        await App.DisposeAsync();
    }

    protected async Task SignInAsync(bool admin = false)
    {
        await Page.GotoAsync("/");
        await Page.GetByRole(AriaRole.Button, new() { Name = admin ? "Sign in as demo admin" : "Sign in as demo user" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#signed-in")).ToBeVisibleAsync();
    }

    /// <summary>The personal &lt;credit-purchase&gt; of the sample (its packs and its auto top-up section).</summary>
    protected ILocator Purchase => Page.Locator("#buy credit-purchase");

    /// <summary>Signs in and waits until &lt;credit-purchase&gt; has finished the reload the sign-in causes.</summary>
    protected async Task SignInAndSettleAsync()
    {
        await Page.GotoAsync("/");
        await Assertions.Expect(Purchase).ToHaveAttributeAsync("data-state", "ready");
        await Purchase.EvaluateAsync("element => element.dataset.state = 'reloading'");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in as demo user" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#signed-in")).ToBeVisibleAsync();
        await Assertions.Expect(Purchase).ToHaveAttributeAsync("data-state", "ready");
    }

    /// <summary>Fires <c>credits-changed</c> (as a sign-in or a purchase does) and waits until &lt;credit-purchase&gt; has loaded again.</summary>
    protected async Task ReloadPurchaseAsync()
    {
        await Purchase.EvaluateAsync("element => element.dataset.state = 'reloading'");
        await Page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('credits-changed'))");
        await Assertions.Expect(Purchase).ToHaveAttributeAsync("data-state", "ready");
    }

    /// <summary>Clicks Generate on a feature card and waits for the job's notice.</summary>
    protected async Task UseFeatureAsync(string feature, string model)
    {
        var card = Page.Locator($"article.feature[data-feature='{feature}/{model}']");
        var response = Page.WaitForResponseAsync(r => r.Url.EndsWith($"/api/demo/features/{feature}/{model}", StringComparison.Ordinal));
        await card.GetByRole(AriaRole.Button).ClickAsync();
        await response;
        await Assertions.Expect(card.GetByRole(AriaRole.Button)).ToHaveTextAsync("Generate");
    }

    protected Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotFolder, name + ".png"), FullPage = true });
}
