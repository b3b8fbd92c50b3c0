namespace MediaForge.Credits;

/// <summary>
/// The purchase lifecycle of credit packs, independent of the payment provider: a pending purchase, then exactly one
/// grant when the payment is confirmed (from a webhook or from the success page, in any order, any number of times).
/// </summary>
public interface ICreditPurchaseService
{
    /// <summary>Records a pending purchase of a paid package; price, credits and currency come from the package row.</summary>
    /// <param name="userId">The buyer.</param>
    /// <param name="packageId">The package (case-insensitive).</param>
    /// <param name="provider">The payment provider, for example <c>stripe</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="UnknownCreditPackageException">No active paid package has that id.</exception>
    /// <exception cref="CreditPackageLimitException">The package is <see cref="Entities.CreditPackage.OncePerUser"/> and the user already bought it (a started, unpaid purchase does not count).</exception>
    Task<CreditPurchaseEntry> StartPurchaseAsync(string userId, string packageId, string provider, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a pending purchase of a paid package bought as a gift (<see cref="CreditPurchaseEntry.IsGift"/>), with the
    /// rules of <see cref="StartPurchaseAsync"/>. Its fulfilment (<see cref="CompletePurchaseAsync"/>) grants the pack to
    /// the buyer and, in the same transaction, holds exactly those credits under a pending gift
    /// (<see cref="PurchaseFulfilmentResult.GiftId"/>), once; the buyer gets its code from
    /// <see cref="ICreditGiftService.ReissueCodeAsync"/>. A refund or lost dispute revokes the gift while it is pending, or
    /// claws the credits back from the recipient under <see cref="CreditsOptions.ClawbackPolicy"/> once it was redeemed.
    /// </summary>
    /// <param name="buyerId">The buyer (the gift's sender).</param>
    /// <param name="packageId">The package (case-insensitive).</param>
    /// <param name="provider">The payment provider, for example <c>stripe</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The pending purchase.</returns>
    /// <exception cref="InvalidOperationException">Gifts are turned off (<see cref="CreditGiftOptions.Enabled"/>).</exception>
    /// <exception cref="UnknownCreditPackageException">No active paid package has that id.</exception>
    /// <exception cref="CreditPackageLimitException">The package is <see cref="Entities.CreditPackage.OncePerUser"/> and the buyer already bought it.</exception>
    Task<CreditPurchaseEntry> StartGiftPurchaseAsync(string buyerId, string packageId, string provider, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a pending volume purchase of a paid package: <paramref name="quantity"/> packs, or a custom amount of
    /// <paramref name="customCredits"/>, priced on the server by the package's tiers (<see cref="ICreditCatalog.QuoteAsync"/>:
    /// the discount of the highest tier reached applies to the whole amount, rounded half up to the minor unit once).
    /// The row keeps the credits, the quantity and the amount; fulfilment grants those credits only for a payment of
    /// exactly that amount whose metadata names those credits. One pack without credits is an ordinary purchase.
    /// </summary>
    /// <param name="userId">The buyer.</param>
    /// <param name="packageId">The package (case-insensitive).</param>
    /// <param name="quantity">Packs: 1 to <see cref="CreditVolumeOptions.MaxQuantity"/>.</param>
    /// <param name="customCredits">A custom credit amount (then <paramref name="quantity"/> is 1), or <see langword="null"/>.</param>
    /// <param name="provider">The payment provider, for example <c>stripe</c>.</param>
    /// <param name="isGift">Whether it is bought as a gift (see <see cref="StartGiftPurchaseAsync"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The pending purchase.</returns>
    /// <exception cref="UnknownCreditPackageException">No active paid package has that id.</exception>
    /// <exception cref="CreditVolumeException">Out of bounds (<see cref="CreditVolumeOptions"/>), or the package is free or once per user.</exception>
    /// <exception cref="InvalidOperationException">A gift while gifts are turned off.</exception>
    Task<CreditPurchaseEntry> StartVolumePurchaseAsync(string userId, string packageId, int quantity, long? customCredits, string provider,
        bool isGift = false, CancellationToken cancellationToken = default);

    /// <summary>Links a pending purchase to the provider's checkout session id.</summary>
    /// <param name="purchaseId">The purchase.</param>
    /// <param name="providerSessionId">The provider's session id (Stripe <c>cs_...</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task AttachSessionAsync(Guid purchaseId, string providerSessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes a paid purchase and grants its credits exactly once (idempotency key: the session id). The amount
    /// and currency paid, and the package, credits and quantity if given, must match the pending purchase; a mismatch grants nothing. A
    /// package marked <see cref="Entities.CreditPackage.OncePerUser"/> that the user already got by another purchase
    /// (two checkouts started and both paid) is a <see cref="PurchaseFulfilmentOutcome.Mismatch"/> too: nothing is
    /// granted and the payment is for the host to refund.
    /// </summary>
    /// <param name="providerSessionId">The provider's session id.</param>
    /// <param name="amountPaidCents">The amount the provider says was paid, in minor units.</param>
    /// <param name="currency">The currency paid.</param>
    /// <param name="packageId">The package the provider's metadata names, if any.</param>
    /// <param name="providerPaymentId">The provider's payment id (Stripe payment intent), if known.</param>
    /// <param name="creditsPaidFor">The credits the provider's metadata names, if any; they must be the purchase's (required for a volume purchase).</param>
    /// <param name="quantityPaidFor">The packs the provider's metadata names, if any; they must be the purchase's.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<PurchaseFulfilmentResult> CompletePurchaseAsync(string providerSessionId, long amountPaidCents, string currency,
        string? packageId = null, string? providerPaymentId = null, long? creditsPaidFor = null, int? quantityPaidFor = null, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending purchase failed (a completed one stays completed).</summary>
    /// <param name="purchaseId">The purchase (carried in the provider's metadata).</param>
    /// <param name="reason">Why the payment failed.</param>
    /// <param name="providerPaymentId">The provider's payment id, if known.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether a pending purchase was marked.</returns>
    Task<bool> FailPurchaseAsync(Guid purchaseId, string reason, string? providerPaymentId = null, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending purchase expired (its checkout session expired unpaid).</summary>
    /// <param name="providerSessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether a pending purchase was marked.</returns>
    Task<bool> ExpirePurchaseAsync(string providerSessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a refund of a purchase's payment and removes the purchased credits in proportion (rounded half up) to the
    /// money refunded so far. The figure is cumulative and keyed by the payment (not by a refund id): a delivery with the
    /// same or a smaller figure (a duplicate, an older event arriving late) changes nothing, a larger one removes only the
    /// difference, so a refund is never clawed back twice; together with disputes, no more than the purchased credits are
    /// ever removed. The clawback takes the purchase's own credits first (other grants keep their expiry) and reaches
    /// credits under a hold: a hold released later frees nothing that was clawed back, and a hold captured later charges
    /// at most what is left. What was already spent follows <see cref="CreditsOptions.ClawbackPolicy"/>.
    /// </summary>
    /// <param name="providerPaymentId">The provider's payment id (Stripe payment intent).</param>
    /// <param name="amountRefundedCents">Money refunded so far in total, in minor units.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<PurchaseReversalResult> RecordRefundAsync(string providerPaymentId, long amountRefundedCents, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a dispute (chargeback) of a purchase's payment: while open or lost, the disputed share of the credits is
    /// removed (or, with <see cref="CreditDisputePolicy.FreezeOnOpen"/>, frozen, held credits included); when won, what
    /// the dispute removed is restored. A decided dispute ignores later "open" deliveries, and a delivery of the same
    /// dispute in the same state never lowers the disputed amount (a late or duplicated event removes nothing twice and
    /// restores nothing); a change of state (won, lost) applies the amount it carries.
    /// </summary>
    /// <param name="providerPaymentId">The provider's payment id (Stripe payment intent).</param>
    /// <param name="disputeId">The provider's dispute id.</param>
    /// <param name="disputedAmountCents">Money disputed, in minor units.</param>
    /// <param name="state">Where the dispute stands.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<PurchaseReversalResult> RecordDisputeAsync(string providerPaymentId, string disputeId, long disputedAmountCents,
        Entities.PaymentDisputeState state, CancellationToken cancellationToken = default);

    /// <summary>
    /// Grants a free package (the starter pack) to a user, once per user however often it is asked for. With
    /// <see cref="CreditsOptions.OneFreePackagePerEmail"/> (the default) also once per normalized e-mail: when the
    /// user's row has an e-mail and another account with the same address already got the package, nothing is granted
    /// (<see cref="FreePackageClaimResult.EmailAlreadyClaimed"/>). Only a SHA-256 hash of the address is kept, with the claim.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="packageId">The free package (case-insensitive).</param>
    /// <param name="reference">An external reference for the ledger, for example the Svix message id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="UnknownCreditPackageException">No active free package has that id.</exception>
    Task<FreePackageClaimResult> ClaimFreePackageAsync(string userId, string packageId, string? reference = null, CancellationToken cancellationToken = default);

    /// <summary>Whether a user already got a package: claimed it free, or bought it (a refunded purchase counts).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="packageId">The package (case-insensitive).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<bool> HasClaimedAsync(string userId, string packageId, CancellationToken cancellationToken = default);

    /// <summary>Finds a purchase by the provider's session id.</summary>
    /// <param name="providerSessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<CreditPurchaseEntry?> FindBySessionAsync(string providerSessionId, CancellationToken cancellationToken = default);
}
