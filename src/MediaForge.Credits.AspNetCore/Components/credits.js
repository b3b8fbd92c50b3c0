// MediaForge.Credits drop-in web components: <credit-display>, <credit-purchase>, <credit-referral> and
// <credit-gift>. No framework: this ES module loads one module per component from the same folder.
//   <script type="module" src="/_mediaforge/credits.js"></script>
//   <credit-display></credit-display>  <credit-purchase></credit-purchase>  <credit-referral></credit-referral>  <credit-gift></credit-gift>
// They call the add-on's endpoints (default prefix /api) with the page's cookies; configureCredits({ getToken })
// adds a bearer token (Clerk: () => window.Clerk.session.getToken()). Dispatch `credits-changed` on document after
// a feature use; the components do it themselves after a claim or a purchase. wallet="team:{id}" on <credit-display>
// and <credit-purchase> shows and buys for a team's wallet instead of the signed-in user's own.

export { configureCredits, notifyCreditsChanged, CreditsApiError } from "./credits-core.js";
export { CreditDisplay } from "./credit-display.js";
export { CreditPurchase } from "./credit-purchase.js";
export { CreditReferral } from "./credit-referral.js";
export { CreditGift } from "./credit-gift.js";
