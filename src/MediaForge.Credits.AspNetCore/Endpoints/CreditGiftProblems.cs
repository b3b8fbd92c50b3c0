namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// The gift endpoints' problem answers: one stable code per <see cref="CreditGiftError"/> and per refused input, and one
/// generic answer for every code that redeems nothing, so codes cannot be probed.
/// </summary>
internal static class CreditGiftProblems
{
    /// <summary>The longest gift code read; a longer one gets the generic <see cref="InvalidCode"/> answer.</summary>
    public const int MaxCodeLength = 64;

    /// <summary>The longest gift id read from a route.</summary>
    public const int MaxIdLength = 64;

    public static ProblemHttpResult Disabled() =>
        CreditProblems.Create(StatusCodes.Status404NotFound, "gifts_disabled", "Gifts are not enabled.");

    /// <summary>The one answer for an unknown, malformed, redeemed, cancelled, expired or revoked code: same status, same body.</summary>
    public static ProblemHttpResult InvalidCode() =>
        CreditProblems.Create(StatusCodes.Status404NotFound, "invalid_gift_code", "This gift code is not valid.",
            "Check the code: it may be mistyped, or the gift was already redeemed, cancelled or expired.");

    public static ProblemHttpResult CodeRequired() =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, "gift_code_required", "A gift code is required.",
            $"Send {{ \"code\": \"...\" }} with at most {MaxCodeLength} characters.");

    public static ProblemHttpResult NotFound() =>
        CreditProblems.Create(StatusCodes.Status404NotFound, "gift_not_found", "You sent no gift with this id.");

    public static ProblemHttpResult InvalidAmount() =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_gift_amount", "The gift amount must be a whole number of credits, at least 1.");

    public static ProblemHttpResult InvalidMessage(int maxLength) =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_gift_message", "The gift message is too long.",
            $"A gift message has at most {maxLength} characters.");

    public static ProblemHttpResult InvalidExpiry(TimeSpan maxLifetime) =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, "invalid_gift_expiry", "The gift expiry is not accepted.",
            $"expiresAt must be in the future and at most {maxLifetime.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days away.");

    public static ProblemHttpResult OverMaximum(CreditGiftOptions options) =>
        CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "gift_over_maximum", "This gift is over the largest gift allowed.",
            $"A gift holds at most {options.MaxGiftAmount} credits.");

    /// <summary>The problem for a refusal of the core service (<see cref="CreditGiftError.RateLimited"/> also sets <c>Retry-After</c>).</summary>
    public static ProblemHttpResult Refused(CreditGiftResult result, HttpResponse response, CreditGiftOptions options) => result.Error switch
    {
        CreditGiftError.InsufficientCredits => CreditProblems.Create(StatusCodes.Status402PaymentRequired, "insufficient_credits",
            "Not enough credits for this gift.", "Your spendable credits (balance less held credits) do not cover it."),
        CreditGiftError.OverMaximum => OverMaximum(options),
        CreditGiftError.IdempotencyKeyConflict => CreditProblems.Create(StatusCodes.Status409Conflict, "idempotency_key_conflict",
            "This Idempotency-Key was used for another gift.", "Use a new key for a new gift; repeat a request only with the same body."),
        CreditGiftError.InvalidCode => InvalidCode(),
        CreditGiftError.OwnGift => CreditProblems.Create(StatusCodes.Status422UnprocessableEntity, "own_gift",
            "You cannot redeem your own gift.", "Cancel it instead to have its credits back."),
        CreditGiftError.RateLimited => RateLimited(result.RetryAfter, response),
        CreditGiftError.NotFound => NotFound(),
        CreditGiftError.NotPending => CreditProblems.Create(StatusCodes.Status409Conflict, "gift_not_pending",
            "This gift was already redeemed, cancelled, expired or revoked."),
        _ => Disabled(),
    };

    private static ProblemHttpResult RateLimited(TimeSpan? retryAfter, HttpResponse response)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling((retryAfter ?? TimeSpan.FromMinutes(1)).TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return CreditProblems.Create(StatusCodes.Status429TooManyRequests, "gift_redeem_rate_limited", "Too many gift codes tried.",
            $"Try again in {seconds} seconds.");
    }
}
