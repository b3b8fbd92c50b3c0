namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// Reads the small JSON bodies of the add-on's endpoints itself, so that a wrong content type (415), an oversized body
/// (413) and malformed JSON (400) all get a problem answer with a stable code, never an empty one.
/// </summary>
internal static class CreditsJsonBody
{
    /// <summary>The largest JSON body accepted by the add-on's endpoints (webhooks have their own limit).</summary>
    public const int MaxBytes = 16 * 1024;

    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, CreditProblems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "The body must be JSON.", "Send Content-Type: application/json."));
        }

        if (await WebhookBody.ReadAsync(request, MaxBytes, cancellationToken).ConfigureAwait(false) is not { } text)
        {
            return (null, CreditProblems.PayloadTooLarge("The body is too large.", MaxBytes));
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web) is { } value
                ? (value, null)
                : (null, Malformed("The body is JSON null."));
        }
        catch (JsonException error)
        {
            return (null, Malformed(error.Message));
        }
    }

    private static ProblemHttpResult Malformed(string detail) =>
        CreditProblems.Create(StatusCodes.Status400BadRequest, "malformed_body", "The body is not the expected JSON.", detail);
}
