using System.Security.Claims;
using MediaForge.Credits;
using MediaForge.Credits.AspNetCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the gift endpoints of the signed-in user.</summary>
public static class CreditGiftEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET</c> (gifts sent and received, without codes), <c>POST { amount, expiresAt?, message? }</c> with an
    /// optional <c>Idempotency-Key</c> (201 with the gift, its code and its absolute link), <c>POST redeem { code }</c>,
    /// <c>DELETE {id}</c> (cancel) and <c>POST {id}/code</c> (a fresh code). Every refusal is a problem with a stable
    /// code; every code that redeems nothing gets the same 404 <c>invalid_gift_code</c>; too many redemption attempts
    /// get 429 with <c>Retry-After</c>. Answers 404 <c>gifts_disabled</c> while gifts are off.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The group's prefix. Default <c>/api/credits/gifts</c>.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapCreditGiftEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api/credits/gifts")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapCreditsFeatureGroup(prefix, "Gifts", o => o.Gifts.Enabled, CreditGiftProblems.Disabled);

        group.MapGet("", async Task<Results<Ok<CreditGiftsResponse>, ProblemHttpResult>> (
            ClaimsPrincipal principal, [FromServices] CreditUserAccessor users, [FromServices] ICreditGiftService gifts, CancellationToken ct) =>
        {
            if (users.GetUserId(principal) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            var list = await gifts.GetGiftsAsync(userId, ct).ConfigureAwait(false);
            return TypedResults.Ok(new CreditGiftsResponse([.. list.Sent.Select(CreditGiftResponse.From)], [.. list.Received.Select(CreditGiftResponse.From)]));
        }).WithName("GetCreditGifts").WithSummary("The signed-in user's gifts, sent and received, newest first, without codes.");

        group.MapPost("", CreateAsync)
            .AcceptsCreditJson<CreateCreditGiftRequest>()
            .ProducesCreditProblems(StatusCodes.Status402PaymentRequired, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity)
            .WithName("CreateCreditGift").WithSummary("Holds credits of the signed-in user under a new gift; answers its code and link (once per Idempotency-Key).");

        group.MapPost("/redeem", async Task<Results<Ok<CreditGiftResponse>, ProblemHttpResult>> (
            HttpContext context, [FromServices] CreditUserAccessor users, [FromServices] ICreditGiftService gifts,
            [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
        {
            if (users.GetUserId(context.User) is not { } userId)
            {
                return CreditProblems.NoUserId();
            }

            var (body, problem) = await CreditsJsonBody.ReadAsync<RedeemCreditGiftRequest>(context.Request, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            if (string.IsNullOrWhiteSpace(body!.Code))
            {
                return CreditGiftProblems.CodeRequired();
            }

            if (body.Code.Length > CreditGiftProblems.MaxCodeLength)
            {
                return CreditGiftProblems.InvalidCode();
            }

            var result = await gifts.RedeemGiftAsync(body.Code, userId, ct).ConfigureAwait(false);
            return result is { Success: true, Gift: { } gift }
                ? TypedResults.Ok(CreditGiftResponse.From(gift))
                : CreditGiftProblems.Refused(result, context.Response, options.Value.Gifts);
        })
            .AcceptsCreditJson<RedeemCreditGiftRequest>()
            .ProducesCreditProblems(StatusCodes.Status422UnprocessableEntity, StatusCodes.Status429TooManyRequests)
            .WithName("RedeemCreditGift").WithSummary("Redeems a gift code for the signed-in user: the gift's credits move to them, once.");

        group.MapDelete("/{id}", (string id, HttpContext context, [FromServices] CreditUserAccessor users, [FromServices] ICreditGiftService gifts,
                [FromServices] IOptions<CreditsOptions> options, CancellationToken ct) =>
                OnOwnGiftAsync(id, context, users, options, (giftId, userId) => gifts.CancelGiftAsync(giftId, userId, ct),
                    (result, _) => TypedResults.Ok(CreditGiftResponse.From(result.Gift!))))
            .ProducesCreditProblems(StatusCodes.Status409Conflict)
            .WithName("CancelCreditGift").WithSummary("Cancels the signed-in user's unredeemed gift: its held credits are theirs to spend again.");

        group.MapPost("/{id}/code", (string id, HttpContext context, [FromServices] CreditUserAccessor users, [FromServices] ICreditGiftService gifts,
                [FromServices] IOptions<CreditsOptions> options, [FromServices] CreditsPublicAddress address, CancellationToken ct) =>
                OnOwnGiftAsync(id, context, users, options, (giftId, userId) => gifts.ReissueCodeAsync(giftId, userId, ct),
                    (result, settings) => TypedResults.Ok(CodeResponse(result, settings, address))))
            .ProducesCreditProblems(StatusCodes.Status409Conflict)
            .WithName("ReissueCreditGiftCode").WithSummary("Gives the signed-in user's unredeemed gift a fresh code (a bought gift's first code); the earlier code stops working.");
        return group;
    }

    private static async Task<Results<Created<CreditGiftCodeResponse>, Ok<CreditGiftCodeResponse>, ProblemHttpResult>> CreateAsync(
        HttpContext context, [FromServices] CreditUserAccessor users, [FromServices] ICreditGiftService gifts,
        [FromServices] IOptions<CreditsOptions> options, [FromServices] CreditsPublicAddress address, [FromServices] TimeProvider time,
        CancellationToken ct)
    {
        if (users.GetUserId(context.User) is not { } userId)
        {
            return CreditProblems.NoUserId();
        }

        var settings = options.Value.Gifts;
        if (!CreditsIdempotencyKeyHeader.TryRead(context.Request, out var key, out var keyProblem))
        {
            return (ProblemHttpResult)keyProblem;
        }

        var (body, problem) = await CreditsJsonBody.ReadAsync<CreateCreditGiftRequest>(context.Request, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var message = string.IsNullOrWhiteSpace(body!.Message) ? null : body.Message;
        if (body.Amount < 1)
        {
            return CreditGiftProblems.InvalidAmount();
        }

        if (body.Amount > settings.MaxGiftAmount)
        {
            return CreditGiftProblems.OverMaximum(settings);
        }

        if (message?.Length > settings.MaxMessageLength)
        {
            return CreditGiftProblems.InvalidMessage(settings.MaxMessageLength);
        }

        var now = time.GetUtcNow();
        if (body.ExpiresAt is { } expiresAt && (expiresAt <= now || expiresAt - now > settings.MaxLifetime))
        {
            return CreditGiftProblems.InvalidExpiry(settings.MaxLifetime);
        }

        var result = await gifts.CreateGiftAsync(userId, body.Amount, body.ExpiresAt, message, key, ct).ConfigureAwait(false);
        if (!result.Success || result.Gift is null || result.Code is null)
        {
            return CreditGiftProblems.Refused(result, context.Response, settings);
        }

        var answer = CodeResponse(result, settings, address);
        return result.IsReplay ? TypedResults.Ok(answer) : TypedResults.Created((string?)null, answer);
    }

    /// <summary>Reads the route's gift id (a malformed or over-long one is the sender's unknown gift: 404) and runs an operation on the user's own gift.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> OnOwnGiftAsync<T>(string id, HttpContext context, CreditUserAccessor users,
        IOptions<CreditsOptions> options, Func<Guid, string, Task<CreditGiftResult>> operation, Func<CreditGiftResult, CreditGiftOptions, Ok<T>> answer)
    {
        if (users.GetUserId(context.User) is not { } userId)
        {
            return CreditProblems.NoUserId();
        }

        var settings = options.Value.Gifts;
        if (id.Length > CreditGiftProblems.MaxIdLength || !Guid.TryParse(id, out var giftId))
        {
            return CreditGiftProblems.NotFound();
        }

        var result = await operation(giftId, userId).ConfigureAwait(false);
        return result is { Success: true, Gift: not null } ? answer(result, settings) : CreditGiftProblems.Refused(result, context.Response, settings);
    }

    private static CreditGiftCodeResponse CodeResponse(CreditGiftResult result, CreditGiftOptions settings, CreditsPublicAddress address) =>
        new(CreditGiftResponse.From(result.Gift!), result.Code!, address.Absolute(settings.LinkPath) + "?gift=" + Uri.EscapeDataString(result.Code!), result.IsReplay);
}
