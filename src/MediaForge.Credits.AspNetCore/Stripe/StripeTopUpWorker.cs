using Microsoft.Extensions.DependencyInjection;
using MediaForge.Credits.TopUps;
using Microsoft.Extensions.Hosting;
using Stripe;

namespace MediaForge.Credits.AspNetCore.Stripe;

/// <summary>
/// Charges pending top-ups (every process runs one; leases keep each top-up to one worker at a time): an off-session,
/// confirmed PaymentIntent of the top-up's amount on its saved customer and payment method, with the idempotency key
/// <c>mf-top-up-{id}-{attempt}</c> (a worker that died mid-call is replayed by Stripe, never charged twice). Credits
/// come only with <c>payment_intent.succeeded</c>; a card error, <c>requires_action</c> or a refused method counts the
/// attempt as failed; any other Stripe error (out of reach, 5xx) counts nothing and is tried again after the retry delay
/// with the same key (Stripe replays the answer it saved for a key, so a charge that went through is never repeated;
/// its webhook settles the top-up).
/// </summary>
internal sealed partial class StripeTopUpWorker(
    IServiceScopeFactory scopes,
    StripeClientAccessor stripe,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<StripeTopUpWorker> logger) : BackgroundService
{
    private const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var charged = 0;
            try
            {
                charged = await ChargeOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogRoundFailed(error);
            }

            if (charged == 0)
            {
                await Task.Delay(options.Value.AutoTopUp.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One round: claims due top-ups and charges each. Returns how many were claimed.</summary>
    public async Task<int> ChargeOnceAsync(CancellationToken cancellationToken)
    {
        if (stripe.Client is not { } client)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var charges = scope.ServiceProvider.GetRequiredService<CreditTopUpCharges>();
        var owner = Guid.NewGuid();
        var claimed = await charges.ClaimAsync(owner, BatchSize, cancellationToken).ConfigureAwait(false);
        foreach (var topUp in claimed)
        {
            await ChargeAsync(charges, client, topUp, owner, cancellationToken).ConfigureAwait(false);
        }

        return claimed.Count;
    }

    private async Task ChargeAsync(CreditTopUpCharges charges, IStripeClient client, CreditTopUpRow topUp, Guid owner, CancellationToken cancellationToken)
    {
        var attempt = topUp.FailedAttempts + 1;
        var attemptText = attempt.ToString(CultureInfo.InvariantCulture);
        try
        {
            var intent = await new PaymentIntentService(client).CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = topUp.AmountCents,
                Currency = topUp.Currency,
                Customer = topUp.CustomerId,
                PaymentMethod = topUp.PaymentMethodId,
                OffSession = true,
                Confirm = true,
                Description = $"Auto top-up: {topUp.PackageId}",
                Metadata = new Dictionary<string, string>
                {
                    [StripeTopUpEvents.TopUpIdKey] = topUp.Id.ToString(),
                    [StripeTopUpEvents.AttemptKey] = attemptText,
                    ["wallet_id"] = topUp.WalletId,
                    ["package_id"] = topUp.PackageId,
                },
            }, new RequestOptions { IdempotencyKey = $"mf-top-up-{topUp.Id}-{attemptText}" }, cancellationToken).ConfigureAwait(false);
            if (intent.Status is "succeeded" or "processing")
            {
                await charges.ChargingAsync(topUp.Id, owner, intent.Id, cancellationToken).ConfigureAwait(false);
                LogCharged(topUp.Id, topUp.WalletId, attempt, intent.Id, intent.Status);
                return;
            }

            await FailAsync(charges, topUp, attempt, StripeTopUpEvents.Reason(intent.LastPaymentError, intent.Status), intent.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (StripeException error) when (error.StripeError?.Type == "card_error")
        {
            await FailAsync(charges, topUp, attempt, StripeTopUpEvents.Reason(error.StripeError, null), error.StripeError.PaymentIntent?.Id, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (StripeException error)
        {
            LogUnreachable(topUp.Id, error.Message);
            await charges.ReleaseAsync(topUp.Id, owner, error.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FailAsync(CreditTopUpCharges charges, CreditTopUpRow topUp, int attempt, string reason, string? paymentIntentId, CancellationToken cancellationToken)
    {
        LogDeclined(topUp.Id, topUp.WalletId, attempt, reason);
        await charges.FailedAsync(topUp.Id, attempt, reason, paymentIntentId, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "Top-up {TopUpId} of {WalletId}, attempt {Attempt}: payment intent {PaymentIntentId} is {Status}")]
    private partial void LogCharged(Guid topUpId, string walletId, int attempt, string paymentIntentId, string status);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "Top-up {TopUpId} of {WalletId}, attempt {Attempt}, failed: {Reason}")]
    private partial void LogDeclined(Guid topUpId, string walletId, int attempt, string reason);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Warning, Message = "Top-up {TopUpId} could not reach Stripe ({Error}); it is tried again")]
    private partial void LogUnreachable(Guid topUpId, string error);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Error, Message = "A top-up round failed; the next round tries again")]
    private partial void LogRoundFailed(Exception error);
}
