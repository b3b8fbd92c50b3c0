namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// RFC 9457 problem details with a stable <c>type</c> (<c>urn:mediaforge:credits:{code}</c>) and the same code in a
/// <c>code</c> extension, so clients and tests can rely on it.
/// </summary>
internal static class CreditProblems
{
    public const string TypePrefix = "urn:mediaforge:credits:";

    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(
            statusCode: status,
            type: TypePrefix + code,
            title: title,
            detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ProblemHttpResult NoUserId() =>
        Create(StatusCodes.Status401Unauthorized, "no_user_id", "The signed-in user has no user id claim.");

    public static ProblemHttpResult InvalidUserId(CreditUserIdRefusedException error) =>
        Create(StatusCodes.Status400BadRequest, "invalid_user_id", "The signed-in user's id is not accepted.", error.Message);

    public static ProblemHttpResult UnknownFeature(UnknownFeaturePricingException error) =>
        Create(StatusCodes.Status400BadRequest, error.ErrorCode, "Unknown feature or model.", error.Message);

    public static ProblemHttpResult InvalidSignature(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid_signature", "The webhook signature is missing or invalid.", detail);

    public static ProblemHttpResult PayloadTooLarge(string title, int maxBytes) =>
        Create(StatusCodes.Status413PayloadTooLarge, "payload_too_large", title, $"At most {maxBytes} bytes are accepted.");

    public static ProblemHttpResult NotConfigured(string what) =>
        Create(StatusCodes.Status503ServiceUnavailable, "not_configured", $"{what} is not configured.");
}
