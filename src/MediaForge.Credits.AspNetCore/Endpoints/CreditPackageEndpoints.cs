using System.Globalization;
using System.Security.Claims;
using MediaForge.Credits.Purchases;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// <c>GET packages</c> (the packs on sale with their volume tiers, each priced by the server at its threshold) and
/// <c>GET packages/{id}/quote?quantity=|credits=</c> (the server's price of a volume purchase), both anonymous.
/// </summary>
internal static class CreditPackageEndpoints
{
    /// <summary>The longest package id (the catalog's column length).</summary>
    private const int MaxPackageIdLength = 64;

    /// <summary>The longest figure accepted in the query (a long has 19 digits).</summary>
    private const int MaxFigureLength = 19;

    public static void MapPackages(RouteGroupBuilder group)
    {
        group.MapGet("/packages", async Task<Ok<List<CreditPackageResponse>>> (
            ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditCatalog catalog,
            [FromServices] ICreditPurchaseService purchases, CancellationToken ct) =>
        {
            var userId = users.GetUserId(principal);
            var tiers = (await catalog.GetPackageTiersAsync(ct).ConfigureAwait(false)).ToLookup(t => t.PackageId, StringComparer.Ordinal);
            var result = new List<CreditPackageResponse>();
            foreach (var p in await catalog.GetPackagesAsync(ct).ConfigureAwait(false))
            {
                bool? claimed = userId is not null && p.OncePerUser ? await purchases.HasClaimedAsync(userId, p.Id, ct).ConfigureAwait(false) : null;
                result.Add(new CreditPackageResponse(p.Id, p.Name, p.Description, p.Credits, p.PriceCents,
                    p.IsFree ? "Free" : CreditPrices.Format(p.PriceCents, p.Currency), p.Currency, p.IsFree, p.MostPopular, claimed, Tiers(p, tiers[p.Id])));
            }

            return TypedResults.Ok(result);
        }).AllowAnonymous().WithName("GetCreditPackages").WithSummary("The credit packs on sale, with their volume discounts.");

        group.MapGet("/packages/{id}/quote", async Task<Results<Ok<CreditVolumeQuoteResponse>, ProblemHttpResult>> (
            string id, string? quantity, string? credits, [FromServices] ICreditCatalog catalog, CancellationToken ct) =>
        {
            if (id.Length > MaxPackageIdLength)
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_package_id", "The package id is too long.",
                    $"Package ids have at most {MaxPackageIdLength} characters.");
            }

            if (!TryFigure(quantity, out var packs) || packs is > int.MaxValue)
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_quantity", "The quantity is not a whole number of packs.");
            }

            if (!TryFigure(credits, out var amount))
            {
                return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_credits", "The credits are not a whole number.");
            }

            try
            {
                var quote = await catalog.QuoteAsync(id, (int)(packs ?? 1), amount, ct).ConfigureAwait(false);
                return TypedResults.Ok(new CreditVolumeQuoteResponse(quote.PackageId, quote.Quantity, quote.Credits, quote.DiscountBasisPoints,
                    quote.FullAmountCents, quote.AmountCents, quote.SavingCents, CreditPrices.Format(quote.AmountCents, quote.Currency), quote.Currency));
            }
            catch (UnknownCreditPackageException error)
            {
                return CreditProblems.Create(StatusCodes.Status404NotFound, error.ErrorCode, "No such package.", $"No active paid package '{id}'.");
            }
            catch (CreditVolumeException error)
            {
                return Stripe.StripeCheckoutVolume.Problem(error);
            }
        }).AllowAnonymous().ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity)
            .WithName("GetCreditVolumeQuote").WithSummary("The server's price of several packs, or of a custom credit amount, with the volume discount.");
    }

    /// <summary>Each usable tier of a paid pack (as <see cref="CreditVolumePricing.Discount"/> uses them) with the server's price of the fewest whole packs that reach it.</summary>
    private static List<CreditPackageTierResponse> Tiers(CreditPackage package, IEnumerable<CreditPackageTier> tiers) => package.IsFree || package.OncePerUser || package.Credits <= 0
        ? []
        : [.. tiers.Where(t => t.MinCredits is > 0 and <= CreditLimits.MaxAmount && t.DiscountBasisPoints is > 0 and <= CreditVolumePricing.MaxDiscountBasisPoints).Select(t =>
        {
            var packs = (int)Math.Min(int.MaxValue, (t.MinCredits + package.Credits - 1) / package.Credits);
            var quote = CreditVolumePricing.Quote(package, [t], packs, null);
            return new CreditPackageTierResponse(t.MinCredits, packs, t.DiscountBasisPoints, quote.AmountCents, quote.SavingCents);
        })];

    /// <summary>A query figure: absent, or 1 to 19 ASCII digits (no sign, no space); false for anything else.</summary>
    private static bool TryFigure(string? text, out long? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (text.Length is 0 or > MaxFigureLength || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }
}
