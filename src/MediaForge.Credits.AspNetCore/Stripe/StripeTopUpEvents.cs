using MediaForge.Credits.TopUps;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// The payment intents of auto top-up in Stripe's webhooks: <c>payment_intent.succeeded</c> of a top-up grants its
/// credits (once per payment intent) and, of a checkout that asked to keep its card, saves the wallet's payment
/// method; <c>payment_intent.payment_failed</c> of a top-up counts its attempt as failed (once).
/// </summary>
internal static class StripeTopUpEvents
{
    /// <summary>The metadata key of the top-up a payment intent charges.</summary>
    public const string TopUpIdKey = "top_up_id";

    /// <summary>The metadata key of the top-up's attempt (1, 2...).</summary>
    public const string AttemptKey = "top_up_attempt";

    /// <summary>The metadata key of the wallet whose auto top-up keeps a checkout's card.</summary>
    public const string SaveForWalletKey = "save_for_wallet";

    /// <summary>Applies <c>payment_intent.succeeded</c>.</summary>
    public static async Task<string> SucceededAsync(CreditAutoTopUps settings, CreditTopUpCharges charges, PaymentIntent intent, CancellationToken cancellationToken)
    {
        if (intent.Status != "succeeded")
        {
            return "ignored_not_succeeded";
        }

        var outcome = "ignored";
        if (intent.Metadata?.GetValueOrDefault(SaveForWalletKey) is { Length: > 0 and <= StripeEventShape.MaxReferenceLength } wallet
            && intent.SetupFutureUsage == "off_session" && IsReference(intent.CustomerId) && IsReference(intent.PaymentMethodId))
        {
            await settings.SavePaymentMethodAsync(wallet, intent.CustomerId, intent.PaymentMethodId, cancellationToken)
                .ConfigureAwait(false);
            outcome = "payment_method_saved";
        }

        if (TopUpId(intent) is not { } topUp)
        {
            return outcome;
        }

        var granted = await charges.SucceededAsync(topUp, intent.Id, intent.Amount, intent.Currency ?? "", "stripe", cancellationToken).ConfigureAwait(false);
        return granted switch
        {
            CreditTopUpOutcome.Granted => "top_up_granted",
            CreditTopUpOutcome.AlreadyGranted => "top_up_already_granted",
            CreditTopUpOutcome.Unknown => "unknown_top_up",
            _ => "mismatch: the payment intent's amount or currency is not the top-up's",
        };
    }

    /// <summary>Applies <c>payment_intent.payment_failed</c> of a top-up; <see langword="null"/> when it is not one.</summary>
    public static async Task<string?> FailedAsync(CreditTopUpCharges charges, PaymentIntent intent, CancellationToken cancellationToken)
    {
        if (TopUpId(intent) is not { } topUp)
        {
            return null;
        }

        if (!int.TryParse(intent.Metadata?.GetValueOrDefault(AttemptKey), NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) || attempt is < 1 or > 1000)
        {
            return "ignored_no_attempt";
        }

        var counted = await charges.FailedAsync(topUp, attempt, Reason(intent.LastPaymentError, intent.Status), intent.Id, cancellationToken).ConfigureAwait(false);
        return counted ? "top_up_failed" : "top_up_failure_already_counted";
    }

    /// <summary>Why a charge failed, as the host's event says it: the decline code, else the error code, else the intent's status.</summary>
    public static string Reason(StripeError? error, string? status) =>
        error?.DeclineCode is { Length: > 0 } decline ? decline
        : error?.Code is { Length: > 0 } code ? code
        : status is { Length: > 0 } ? status : "payment_failed";

    private static Guid? TopUpId(PaymentIntent intent) =>
        Guid.TryParse(intent.Metadata?.GetValueOrDefault(TopUpIdKey), out var id) ? id : null;

    private static bool IsReference(string? value) => value is { Length: > 0 and <= StripeEventShape.MaxReferenceLength };
}
