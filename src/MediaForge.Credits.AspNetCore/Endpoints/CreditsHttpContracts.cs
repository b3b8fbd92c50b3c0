namespace MediaForge.Credits.AspNetCore;

/// <summary>Body of <c>GET /api/credits/balance</c>.</summary>
/// <param name="UserId">The signed-in user.</param>
/// <param name="Balance">Credits owned.</param>
/// <param name="Available">Credits spendable now.</param>
/// <param name="IsUnlimited">Whether the user is an admin (nothing is deducted).</param>
/// <param name="NextExpiration">The next credits to expire, if any of the user's credits expire.</param>
/// <param name="Categories">The balance split by category name (<c>paid</c>, <c>promotional</c>, <c>allowance</c>, a host's own), adding up to it.</param>
/// <param name="IsLowBalance">Whether the balance is below <c>Events:LowBalanceThreshold</c> (never for unlimited users or with the threshold off).</param>
/// <param name="Subscription">The user's current subscription plan, period end and allowance left, if they have one.</param>
public sealed record CreditBalanceResponse(string UserId, long Balance, long Available, bool IsUnlimited, CreditExpiration? NextExpiration = null,
    IReadOnlyDictionary<string, long>? Categories = null, bool IsLowBalance = false, CreditSubscriptionSummary? Subscription = null);

/// <summary>Body of <c>GET /api/credits/check</c>.</summary>
/// <param name="Feature">The feature asked about (lower case).</param>
/// <param name="Model">The model asked about (lower case).</param>
/// <param name="HasCredits">Whether the user can use it now.</param>
/// <param name="Required">Its price in credits.</param>
/// <param name="Available">Credits spendable now.</param>
/// <param name="IsUnlimited">Whether the user is an admin.</param>
public sealed record CreditCheckResponse(string Feature, string Model, bool HasCredits, long Required, long Available, bool IsUnlimited);

/// <summary>One package in <c>GET /api/credits/packages</c>.</summary>
/// <param name="Id">The package id, to pass to checkout.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">Short description.</param>
/// <param name="Credits">Credits granted.</param>
/// <param name="PriceCents">Price in minor units.</param>
/// <param name="Price">Price formatted for display, for example <c>$29.99</c> or <c>Free</c>.</param>
/// <param name="Currency">ISO currency code, lower case.</param>
/// <param name="IsFree">Whether it is claimed rather than bought.</param>
/// <param name="MostPopular">Whether to highlight it.</param>
/// <param name="Claimed">For a signed-in user and a once-per-user package: whether they already have it; otherwise <see langword="null"/>.</param>
/// <param name="Tiers">The volume discounts of the package, by threshold; empty when it has none.</param>
public sealed record CreditPackageResponse(string Id, string Name, string? Description, long Credits, long PriceCents, string Price,
    string Currency, bool IsFree, bool MostPopular, bool? Claimed, IReadOnlyList<CreditPackageTierResponse>? Tiers = null);

/// <summary>One volume discount in <c>GET /api/credits/packages</c>, with the server's price at its threshold.</summary>
/// <param name="MinCredits">The fewest credits bought at once that reach the tier.</param>
/// <param name="MinQuantity">The fewest packs that reach it.</param>
/// <param name="DiscountBasisPoints">The discount in hundredths of a percent (1,000 is 10% off).</param>
/// <param name="AmountCents">The price of <paramref name="MinQuantity"/> packs with the discount, in minor units.</param>
/// <param name="SavingCents">What the discount saves on them, in minor units.</param>
public sealed record CreditPackageTierResponse(long MinCredits, int MinQuantity, int DiscountBasisPoints, long AmountCents, long SavingCents);

/// <summary>Answer of <c>GET /api/credits/packages/{id}/quote</c>: the server's price of a volume purchase.</summary>
/// <param name="PackageId">The package.</param>
/// <param name="Quantity">Packs; <see langword="null"/> for a custom credit amount.</param>
/// <param name="Credits">Credits the purchase grants.</param>
/// <param name="DiscountBasisPoints">The discount of the tier reached (0 when none).</param>
/// <param name="FullAmountCents">The price without discount, in minor units.</param>
/// <param name="AmountCents">The price charged, in minor units.</param>
/// <param name="SavingCents">What the discount saves, in minor units.</param>
/// <param name="Price">The price charged, formatted for display.</param>
/// <param name="Currency">ISO currency code, lower case.</param>
public sealed record CreditVolumeQuoteResponse(string PackageId, int? Quantity, long Credits, int DiscountBasisPoints, long FullAmountCents,
    long AmountCents, long SavingCents, string Price, string Currency);

/// <summary>Body of <c>POST /api/stripe/create-checkout-session</c>.</summary>
/// <param name="PackageId">The package to buy (or, if free, to claim).</param>
/// <param name="Gift">
/// Whether the buyer buys the package as a gift: fulfilment makes a pending gift of its credits instead of crediting
/// the buyer (gifts enabled, paid packages only); the success URL gets <c>gift_checkout=1</c>.
/// </param>
/// <param name="TeamId">
/// The team whose wallet the package is for (teams enabled, paid packages only, not as a gift): only an owner or admin
/// of an active team may buy for it; fulfilment credits the team's wallet.
/// </param>
/// <param name="Quantity">
/// Packs to buy at once (paid packages sold more than once): 1 to <c>Volume.MaxQuantity</c>; priced on the server by the
/// package's tiers. Default 1.
/// </param>
/// <param name="Credits">
/// A custom credit amount instead of packs: the package's credits to <c>Volume.MaxCredits</c>, priced per credit at the
/// package's price with the discount of the tier it reaches.
/// </param>
/// <param name="PlanId">
/// Instead of a package: the subscription plan to subscribe to (Checkout in subscription mode; each paid period grants
/// the plan's allowance). Not with a package, a gift, a team, a quantity or credits.
/// </param>
/// <param name="SaveForAutoTopUp">
/// Keep the card for auto top-up: the payment is set up for later off-session charges and, once it succeeds, its
/// payment method becomes the wallet's (the buyer's own, or the team's: owners and admins only). Not with a gift or a plan.
/// </param>
public sealed record CreateCheckoutSessionRequest(string? PackageId, bool Gift = false, string? TeamId = null, int? Quantity = null, long? Credits = null,
    string? PlanId = null, bool SaveForAutoTopUp = false);

/// <summary>Answer of <c>POST /api/stripe/create-checkout-session</c>.</summary>
/// <param name="SessionId">The Stripe checkout session id; <see langword="null"/> for a free package.</param>
/// <param name="Url">Where to send the buyer; <see langword="null"/> for a free package.</param>
/// <param name="Claimed">Whether a free package was granted right away.</param>
/// <param name="Credits">Credits of the package.</param>
/// <param name="Balance">The balance after a free claim; <see langword="null"/> for a paid package.</param>
public sealed record CheckoutSessionResponse(string? SessionId, string? Url, bool Claimed, long Credits, long? Balance);

/// <summary>Answer of <c>GET /api/stripe/checkout-session/{id}</c>, asked by the success page.</summary>
/// <param name="SessionId">The checkout session id.</param>
/// <param name="PackageId">The package bought.</param>
/// <param name="Credits">Credits of the purchase.</param>
/// <param name="Status">The purchase status: <c>pending</c>, <c>completed</c>, <c>failed</c>, <c>expired</c>, <c>refunded</c>.</param>
/// <param name="PaymentStatus">Stripe's payment status when asked (<c>paid</c>, <c>unpaid</c>...), if Stripe was asked.</param>
/// <param name="Balance">The buyer's balance now; for a team purchase, the team wallet's.</param>
/// <param name="IsGift">Whether the package was bought as a gift.</param>
/// <param name="GiftId">For a completed gift purchase: the gift made of it (its code comes from <c>POST /api/credits/gifts/{id}/code</c>).</param>
/// <param name="TeamId">For a purchase for a team's wallet: the team.</param>
public sealed record CheckoutStatusResponse(string SessionId, string PackageId, long Credits, string Status, string? PaymentStatus, long Balance,
    bool IsGift = false, Guid? GiftId = null, string? TeamId = null);

/// <summary>Answer of the webhook endpoints.</summary>
/// <param name="Received">Always true: the delivery was verified.</param>
/// <param name="Duplicate">Whether this event was processed before (nothing changed now).</param>
/// <param name="Outcome">What processing did, for example <c>completed</c>, <c>granted</c>, <c>ignored</c>.</param>
public sealed record WebhookReceipt(bool Received, bool Duplicate, string? Outcome);

/// <summary>Body of <c>POST /api/credits/admin/users/{userId}/adjustments</c>.</summary>
/// <param name="Amount">Credits to add (positive) or remove (negative).</param>
/// <param name="Reason">Why; stored in the ledger.</param>
/// <param name="IdempotencyKey">Optional key so a retried request applies once.</param>
public sealed record CreditAdjustmentRequest(long Amount, string? Reason, string? IdempotencyKey = null);
