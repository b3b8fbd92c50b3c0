using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Storage;
using Stripe.Checkout;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// Starts Stripe Checkout for a package (price, credits and currency from the server's package row, never from the
/// client; success and cancel URLs on the configured public address, never the request's Host) and fulfils from the success page: it asks Stripe for the session and completes the purchase if paid,
/// with the same exactly-once key as the webhook.
/// </summary>
internal sealed partial class StripeCheckoutHandler(
    StripeClientAccessor stripe,
    ICreditPurchaseService purchases,
    ICreditCatalog catalog,
    ICreditTeamService teams,
    CreditsDbContextHandle handle,
    CreditAccountReader accounts,
    TopUps.CreditAutoTopUps autoTopUps,
    IOptions<CreditsStripeOptions> options,
    IOptions<CreditsOptions> creditOptions,
    CreditsPublicAddress address,
    ILogger<StripeCheckoutHandler> logger)
{
    /// <summary>The longest package id (the catalog's column length).</summary>
    private const int MaxPackageIdLength = 64;

    /// <summary>The longest checkout session id (the purchases' reference column length).</summary>
    private const int MaxSessionIdLength = 255;

    public async Task<Results<Ok<CheckoutSessionResponse>, ProblemHttpResult>> CreateSessionAsync(
        string userId, string? packageId, bool gift, string? teamId, int? quantity, long? credits, CancellationToken cancellationToken,
        bool saveForAutoTopUp = false)
    {
        if (StripeCheckoutVolume.Junk(quantity, credits) is { } junk)
        {
            return junk;
        }

        if (string.IsNullOrWhiteSpace(packageId))
        {
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "package_required", "A packageId is required.");
        }

        if (packageId.Length > MaxPackageIdLength)
        {
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_package_id", "The packageId is too long.",
                $"Package ids have at most {MaxPackageIdLength} characters.");
        }

        var package = (await catalog.GetPackagesAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(p => string.Equals(p.Id, packageId.Trim(), StringComparison.OrdinalIgnoreCase));
        if (package is null)
        {
            return CreditProblems.Create(StatusCodes.Status404NotFound, "unknown_package", "No such package.", $"No active package '{packageId}'.");
        }

        if (teamId is not null && TeamRefusal(teamId, gift, package) is { } teamProblem)
        {
            return teamProblem;
        }

        var volume = StripeCheckoutVolume.IsVolume(quantity, credits);
        if (volume && StripeCheckoutVolume.Refusal(package, quantity, credits, teamId, creditOptions.Value.Volume) is { } volumeProblem)
        {
            return volumeProblem;
        }

        if (saveForAutoTopUp && await SaveRefusalAsync(userId, teamId, gift, package, cancellationToken).ConfigureAwait(false) is { } saveProblem)
        {
            return saveProblem;
        }

        if (gift && !creditOptions.Value.Gifts.Enabled)
        {
            return CreditGiftProblems.Disabled();
        }

        if (gift && package.IsFree)
        {
            return CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "free_package_not_giftable", "A free package cannot be bought as a gift.",
                $"Package '{package.Id}' is free: choose a paid package to give.");
        }

        if (package.IsFree)
        {
            var claim = await purchases.ClaimFreePackageAsync(userId, package.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
            return claim.Granted
                ? TypedResults.Ok(new CheckoutSessionResponse(null, null, Claimed: true, claim.Credits, claim.Balance))
                : CreditProblems.Create(StatusCodes.Status409Conflict, "already_claimed", "This free package was already claimed.",
                    $"Package '{package.Id}' can be claimed once per user.");
        }

        if (stripe.Client is not { } client)
        {
            return CreditProblems.NotConfigured("Stripe (STRIPE_SECRET_KEY)");
        }

        CreditPurchaseEntry purchase;
        var discount = 0;
        try
        {
            if (volume)
            {
                discount = (await catalog.QuoteAsync(package.Id, quantity ?? 1, credits, cancellationToken).ConfigureAwait(false)).DiscountBasisPoints;
                purchase = await purchases.StartVolumePurchaseAsync(userId, package.Id, quantity ?? 1, credits, "stripe", gift, cancellationToken).ConfigureAwait(false);
            }
            else if (teamId is not null)
            {
                var started = await teams.StartPurchaseAsync(teamId, userId, package.Id, "stripe", cancellationToken).ConfigureAwait(false);
                if (started is not { Success: true, Purchase: { } teamPurchase })
                {
                    return CreditTeamProblems.Refused(started.Error, "buying for the team");
                }

                purchase = teamPurchase;
            }
            else
            {
                purchase = gift
                    ? await purchases.StartGiftPurchaseAsync(userId, package.Id, "stripe", cancellationToken).ConfigureAwait(false)
                    : await purchases.StartPurchaseAsync(userId, package.Id, "stripe", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (CreditVolumeException error)
        {
            return StripeCheckoutVolume.Problem(error);
        }
        catch (CreditPackageLimitException error)
        {
            return CreditProblems.Create(StatusCodes.Status409Conflict, error.ErrorCode, "This package can be bought once per user.",
                $"Package '{package.Id}' was already bought.");
        }

        var metadata = new Dictionary<string, string>
        {
            ["user_id"] = userId,
            ["package_id"] = package.Id,
            ["purchase_id"] = purchase.Id.ToString(),
        };
        StripeCheckoutVolume.Describe(metadata, purchase);
        if (gift)
        {
            metadata["gift"] = "true";
        }

        if (teamId is not null)
        {
            metadata["team_id"] = teamId;
        }

        var paymentIntent = new SessionPaymentIntentDataOptions { Metadata = new Dictionary<string, string>(metadata) };
        if (saveForAutoTopUp)
        {
            paymentIntent.SetupFutureUsage = "off_session";
            paymentIntent.Metadata[StripeTopUpEvents.SaveForWalletKey] = CreditWalletAccounts.For(userId, teamId is null ? CreditWallet.Personal : CreditWallet.Team(teamId));
        }

        Session session;
        try
        {
            session = await new SessionService(client).CreateAsync(new SessionCreateOptions
            {
                Mode = "payment",
                ClientReferenceId = userId,
                LineItems =
                [
                    new SessionLineItemOptions
                    {
                        Quantity = 1,
                        PriceData = new SessionLineItemPriceDataOptions
                        {
                            Currency = purchase.Currency,
                            UnitAmount = purchase.AmountCents,
                            ProductData = new SessionLineItemPriceDataProductDataOptions
                            {
                                Name = (gift ? "Gift: " : "") + StripeCheckoutVolume.Name(package, purchase, discount) + (teamId is not null ? $" for team {teamId}" : ""),
                                Description = package.Description,
                            },
                        },
                    },
                ],
                Metadata = metadata,
                PaymentIntentData = paymentIntent,
                CustomerCreation = saveForAutoTopUp ? "always" : null,
                SuccessUrl = gift ? GiftReturn(address.Absolute(options.Value.SuccessUrl)) : address.Absolute(options.Value.SuccessUrl),
                CancelUrl = address.Absolute(options.Value.CancelUrl),
            }, new RequestOptions { IdempotencyKey = "mediaforge-checkout-" + purchase.Id }, cancellationToken).ConfigureAwait(false);
        }
        catch (StripeException error)
        {
            LogStripeFailure(userId, package.Id, error.Message);
            await purchases.FailPurchaseAsync(purchase.Id, "Checkout session could not be created: " + error.Message, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return CreditProblems.Create(StatusCodes.Status502BadGateway, "payment_provider_error", "Stripe could not start the checkout.", error.Message);
        }

        await purchases.AttachSessionAsync(purchase.Id, session.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new CheckoutSessionResponse(session.Id, session.Url, Claimed: false, purchase.Credits, null));
    }

    public async Task<Results<Ok<CheckoutStatusResponse>, ProblemHttpResult>> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        if (sessionId.Length > MaxSessionIdLength)
        {
            return CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_session_id", "The checkout session id is too long.",
                $"Checkout session ids have at most {MaxSessionIdLength} characters.");
        }

        var purchase = await purchases.FindBySessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var team = purchase is null ? null : CreditWalletAccounts.TeamOf(purchase.UserId);
        if (purchase is null || (team is null ? purchase.UserId != userId : purchase.PurchasedBy != userId))
        {
            return CreditProblems.Create(StatusCodes.Status404NotFound, "unknown_checkout_session", "No such checkout session for this user.");
        }

        string? paymentStatus = null;
        if (purchase.Status != PurchaseStatus.Completed && stripe.Client is { } client)
        {
            try
            {
                var session = await new SessionService(client).GetAsync(sessionId, cancellationToken: cancellationToken).ConfigureAwait(false);
                paymentStatus = session.PaymentStatus;
                if (session.PaymentStatus == "paid" && StripeCheckoutVolume.TryReadClaim(session.Metadata, out var paidCredits, out var paidQuantity))
                {
                    var fulfilment = await purchases.CompletePurchaseAsync(sessionId, session.AmountTotal ?? 0, session.Currency ?? "",
                        session.Metadata?.GetValueOrDefault("package_id"), session.PaymentIntentId, paidCredits, paidQuantity, cancellationToken).ConfigureAwait(false);
                    purchase = fulfilment.Purchase ?? purchase;
                }
            }
            catch (StripeException error)
            {
                LogStripeFailure(userId, purchase.PackageId, error.Message);
                return CreditProblems.Create(StatusCodes.Status502BadGateway, "payment_provider_error", "Stripe could not be asked about the checkout.", error.Message);
            }
        }

        var balance = (await accounts.ReadAsync(purchase.UserId, cancellationToken).ConfigureAwait(false)).Balance;
        // By the purchase (a unique index; only a paid gift purchase has a row), not from the buyer's gift list, which
        // holds only the newest gifts.
        var giftId = await Gifts.CreditGiftRows.IdOfPurchaseAsync(handle.Context, purchase.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new CheckoutStatusResponse(sessionId, purchase.PackageId, purchase.Credits,
            purchase.Status.ToString().ToLowerInvariant(), paymentStatus, balance, purchase.IsGift, giftId, team));
    }

    /// <summary>Why a checkout for the team <paramref name="teamId"/> is refused before anything is recorded, or <see langword="null"/>.</summary>
    private ProblemHttpResult? TeamRefusal(string teamId, bool gift, CreditPackage package) =>
        !creditOptions.Value.Teams.Enabled ? CreditTeamProblems.Disabled()
        : !CreditTeamProblems.IsTeamId(teamId) ? CreditTeamProblems.NotFound()
        : gift ? CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "team_gift_not_supported", "A package for a team cannot be bought as a gift.",
            "Buy it for the team, or as a gift from your own checkout.")
        : package.IsFree ? CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "free_package_not_for_teams", "A free package cannot be claimed for a team.",
            $"Package '{package.Id}' is free: choose a paid package for the team.")
        : null;

    /// <summary>Why a checkout cannot keep its card for auto top-up, or <see langword="null"/>: not for a gift or a free pack; a team's only by its owners and admins.</summary>
    private async Task<ProblemHttpResult?> SaveRefusalAsync(string userId, string? teamId, bool gift, CreditPackage package, CancellationToken cancellationToken)
    {
        if (gift || package.IsFree)
        {
            return CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "cannot_save_payment_method", "This checkout cannot keep its card for auto top-up.",
                "Only a paid package bought for your own or your team's wallet can save its card.");
        }

        // A team id here is well-formed: TeamRefusal answered any other before.
        return teamId is null ? null
            : await autoTopUps.CheckTeamAsync(userId, teamId, cancellationToken).ConfigureAwait(false) switch
            {
                TopUps.CreditAutoTopUpError.None => null,
                TopUps.CreditAutoTopUpError.Forbidden => CreditTeamProblems.NotAllowed("saving a card for the team's auto top-up"),
                _ => CreditTeamProblems.NotFound(),
            };
    }

    /// <summary>A gift checkout's success URL: the configured one marked <c>gift_checkout=1</c>, so the page's &lt;credit-gift&gt; shows the code.</summary>
    private static string GiftReturn(string successUrl)
    {
        var fragment = successUrl.IndexOf('#', StringComparison.Ordinal);
        // Stryker disable once Equality : the success URL is absolute here (CreditsPublicAddress), so a '#' is never its first character
        var (url, tail) = fragment < 0 ? (successUrl, "") : (successUrl[..fragment], successUrl[fragment..]);
        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "gift_checkout=1" + tail;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Stripe failed for {UserId} buying {PackageId}: {Error}")]
    private partial void LogStripeFailure(string userId, string packageId, string error);
}
