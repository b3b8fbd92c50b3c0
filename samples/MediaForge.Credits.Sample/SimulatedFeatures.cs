using System.Security.Claims;
using MediaForge.Credits.AspNetCore;
using Microsoft.AspNetCore.Mvc;

namespace MediaForge.Credits.Sample;

/// <summary>
/// The sample's "AI features": each runs a simulated job and pays for it with <see cref="ICreditService.DeductCreditsAsync"/>,
/// the pattern a real host follows around its own jobs. Not enough credits → 402 problem details.
/// </summary>
internal static class SimulatedFeatures
{
    /// <summary>How long a simulated job takes.</summary>
    private static readonly TimeSpan JobDuration = TimeSpan.FromMilliseconds(400);

    public static void MapSimulatedFeatures(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/demo/features").WithTags("Demo").RequireAuthorization();

        group.MapGet("/", async ([FromServices] ICreditCatalog catalog, CancellationToken ct) =>
            (await catalog.GetFeaturePricesAsync(ct)).Select(p => new { p.Feature, p.Model, p.Credits, p.Description }));

        group.MapPost("/{feature}/{model}", async (string feature, string model, FeatureRequest? body, ClaimsPrincipal user,
            [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [FromServices] ICreditService credits, TimeProvider time, CancellationToken ct) =>
        {
            if ((user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier)) is not { } userId)
            {
                return Results.Problem(statusCode: 401, title: "Sign in first.");
            }

            try
            {
                // 1. Cheap check for a fast "no" (the UI can also call GET /api/credits/check).
                var check = await credits.CheckCreditsAsync(userId, feature, model, ct);
                if (!check.HasCredits)
                {
                    return InsufficientCredits(feature, model, check.Required, check.Available);
                }

                // 2. The job (here: a pause). 3. The deduction: atomic, and a retry with the same key is a replay.
                await Task.Delay(JobDuration, time, ct);
                var jobId = idempotencyKey ?? "job_" + Guid.NewGuid().ToString("N");
                var result = await credits.DeductCreditsAsync(userId, feature, model, body?.Prompt,
                    metadata: new { simulated = true, jobId }, idempotencyKey: jobId, cancellationToken: ct);
                return result.Success
                    ? Results.Ok(new FeatureResponse(jobId, feature, model, result.CreditsDeducted, result.RemainingBalance, $"simulated://{feature}/{model}/{jobId}"))
                    : InsufficientCredits(feature, model, check.Required, result.RemainingBalance);
            }
            catch (UnknownFeaturePricingException error)
            {
                return Results.Problem(statusCode: 400, title: "Unknown feature or model.", detail: error.Message, type: "urn:mediaforge:credits:" + error.ErrorCode);
            }
        });
    }

    private static IResult InsufficientCredits(string feature, string model, long required, long available) =>
        Results.Problem(statusCode: StatusCodes.Status402PaymentRequired, type: "urn:mediaforge:credits:insufficient_credits",
            title: "Insufficient credits",
            detail: $"{feature}/{model} costs {required} credits; you have {available}. Buy a credit pack to continue.",
            extensions: new Dictionary<string, object?> { ["code"] = "insufficient_credits", ["required"] = required, ["available"] = available });
}

/// <summary>Body of a feature use.</summary>
internal sealed record FeatureRequest(string? Prompt);

/// <summary>A finished simulated job.</summary>
internal sealed record FeatureResponse(string JobId, string Feature, string Model, long CreditsDeducted, long RemainingBalance, string Output);
