namespace MediaForge.Credits.AspNetCore;

/// <summary>Body of <c>PUT /api/credits/auto-top-up</c>.</summary>
/// <param name="Enabled">Whether auto top-up is on. Saving also resumes it after a pause and clears its failures.</param>
/// <param name="Threshold">A deduction that takes the balance from this or more to less buys the pack once: 1 to 1,000,000,000.</param>
/// <param name="PackageId">The paid package bought each time (its credits and price as they are now).</param>
/// <param name="MaxTopUpsPerMonth">The most top-ups per calendar month (UTC): 1 to 100.</param>
/// <param name="MaxAmountPerMonthCents">The most money per calendar month (UTC), in minor units: at least the pack's price, at most 100,000,000.</param>
/// <param name="TeamId">A team's wallet instead of the signed-in user's (owners and admins only).</param>
public sealed record CreditAutoTopUpRequest(bool Enabled, long Threshold, string? PackageId, int MaxTopUpsPerMonth, long MaxAmountPerMonthCents,
    string? TeamId = null);

/// <summary>A wallet's auto top-up, as <c>GET</c>/<c>PUT /api/credits/auto-top-up</c> answer it.</summary>
/// <param name="Enabled">Whether it is on.</param>
/// <param name="Threshold">The balance below which one top-up is bought (0: never saved).</param>
/// <param name="PackageId">The package bought, if saved.</param>
/// <param name="Credits">The credits of each top-up.</param>
/// <param name="PriceCents">The price of each top-up, in minor units of <paramref name="Currency"/>.</param>
/// <param name="Currency">The ISO currency code, lower case.</param>
/// <param name="MaxTopUpsPerMonth">The monthly count cap.</param>
/// <param name="MaxAmountPerMonthCents">The monthly money cap.</param>
/// <param name="HasPaymentMethod">Whether a card is saved (a checkout with <c>saveForAutoTopUp</c>); without one nothing is charged.</param>
/// <param name="Paused">Whether it paused after failed charges in a row (saving the settings again resumes it).</param>
/// <param name="ConsecutiveFailures">Failed charges since the last success.</param>
/// <param name="TopUpsThisMonth">Top-ups triggered this calendar month (UTC).</param>
/// <param name="AmountThisMonthCents">Their money.</param>
/// <param name="TeamId">The team whose wallet it is, or <see langword="null"/> for the user's own.</param>
public sealed record CreditAutoTopUpResponse(bool Enabled, long Threshold, string? PackageId, long Credits, long PriceCents, string Currency,
    int MaxTopUpsPerMonth, long MaxAmountPerMonthCents, bool HasPaymentMethod, bool Paused, int ConsecutiveFailures, int TopUpsThisMonth,
    long AmountThisMonthCents, string? TeamId);
