using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>The HTML of the test checkout: the order, Pay and Cancel, and a banner saying that no money moves.</summary>
internal static class DevelopmentCheckoutPage
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Render(DevelopmentCheckoutSession session, string basePath)
    {
        var e = Encoder;
        var amount = CreditPrices.Format(session.AmountTotal, session.Currency);
        var action = e.Encode(basePath.TrimEnd('/') + "/" + session.Id);
        var description = string.IsNullOrWhiteSpace(session.ProductDescription) ? "" : $"<p class=\"muted\">{e.Encode(session.ProductDescription)}</p>";
        var body = session.PaymentStatus == "paid"
            ? "<p class=\"paid\" role=\"status\">This checkout is already paid.</p>"
            : $"""
              <form method="post" action="{action}/pay"><button type="submit" class="pay" data-testid="dev-checkout-pay">Pay {e.Encode(amount)}</button></form>
              <form method="post" action="{action}/cancel"><button type="submit" class="cancel" data-testid="dev-checkout-cancel">Cancel and return</button></form>
              """;
        return Layout("Test checkout", $"""
            <div class="banner" role="note">Test mode · development gateway · no money moves</div>
            <main>
              <p class="muted">Pay MediaForge</p>
              <h1>{e.Encode(session.ProductName)}</h1>
              {description}
              <p class="amount" data-testid="dev-checkout-amount">{e.Encode(amount)}</p>
              <div class="card" aria-label="Test card">
                <span>Test card</span><span>4242 4242 4242 4242</span>
              </div>
              {body}
              <p class="small">This page stands in for Stripe Checkout because <code>STRIPE_SECRET_KEY</code> is not set.
              Pay sends a signed <code>checkout.session.completed</code> to the app's Stripe webhook.</p>
            </main>
            """);
    }

    /// <summary>The gateway's subscriptions, each with its period and a Renew now button.</summary>
    public static string Subscriptions(IReadOnlyList<DevelopmentSubscription> subscriptions, string basePath)
    {
        var e = Encoder;
        var rows = string.Concat(subscriptions.Select(s => $"""
            <li><strong>{e.Encode(s.PriceId)}</strong> for {e.Encode(s.UserId)}, period ends {s.PeriodEnd:yyyy-MM-dd}
            <form method="post" action="{e.Encode(basePath + "/subscriptions/" + s.Id)}/renew"><button type="submit" class="pay" data-testid="dev-subscription-renew">Renew now</button></form></li>
            """));
        return Layout("Test subscriptions", $"""
            <div class="banner" role="note">Test mode · development gateway · no money moves</div>
            <main>
              <h1>Subscriptions</h1>
              <ul>{(rows.Length == 0 ? "<li>None yet.</li>" : rows)}</ul>
              <p class="small">Renew now pays the next month's invoice: a signed <code>invoice.paid</code> goes to the app's Stripe webhook.</p>
            </main>
            """);
    }

    public static string Message(string title, string text) =>
        Layout(title, $"""<div class="banner" role="note">Test mode · development gateway</div><main><h1>{Encoder.Encode(title)}</h1><p role="alert">{Encoder.Encode(text)}</p></main>""");

    private static string Layout(string title, string content) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>{{Encoder.Encode(title)}} · MediaForge.Credits</title>
          <style>
            :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
            body { margin: 0; background: #f6f8fb; color: #1a2233; }
            .banner { background: #fff4d6; color: #7a4b00; text-align: center; padding: .6rem; font-size: .85rem; font-weight: 600; letter-spacing: .02em; }
            main { max-width: 26rem; margin: 3rem auto; background: #fff; border-radius: 14px; padding: 2rem 2rem 1.5rem;
                   box-shadow: 0 1px 2px rgba(16,24,40,.06), 0 8px 24px rgba(16,24,40,.08); }
            h1 { font-size: 1.3rem; margin: .2rem 0 .4rem; }
            .muted { color: #5b6478; margin: 0; }
            .amount { font-size: 2.2rem; font-weight: 700; margin: 1rem 0; }
            .card { display: flex; justify-content: space-between; border: 1px solid #d8dee9; border-radius: 8px; padding: .75rem 1rem;
                    color: #5b6478; font-variant-numeric: tabular-nums; margin-bottom: 1.25rem; }
            form { margin: 0 0 .6rem; }
            button { width: 100%; border: 0; border-radius: 8px; padding: .85rem; font-size: 1rem; font-weight: 600; cursor: pointer; }
            .pay { background: #635bff; color: #fff; }
            .pay:hover { background: #5146e5; }
            .cancel { background: transparent; color: #5b6478; }
            .cancel:hover { background: #eef1f6; }
            .paid { color: #0f7b3f; font-weight: 600; }
            .small { font-size: .78rem; color: #7a8398; margin-top: 1rem; }
            code { background: #eef1f6; border-radius: 4px; padding: 0 .25rem; }
          </style>
        </head>
        <body>
        {{content}}
        </body>
        </html>
        """;
}
