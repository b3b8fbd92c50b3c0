using Microsoft.AspNetCore.Builder;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// OpenAPI metadata of the add-on's endpoints beyond what their typed results say: the RFC 9457 problem answers each
/// can give (<c>application/problem+json</c>) and the JSON bodies they read themselves (<see cref="CreditsJsonBody"/>).
/// </summary>
internal static class CreditsOpenApi
{
    /// <summary>Documents a problem-details answer for each of <paramref name="statusCodes"/>.</summary>
    public static TBuilder ProducesCreditProblems<TBuilder>(this TBuilder builder, params int[] statusCodes)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statusCodes)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>
    /// Documents a JSON request body of type <typeparamref name="TBody"/> and the body's own problems (400, 413, 415).
    /// Unlike <c>Accepts</c>, it names no content type, so routing does not refuse other content types with an empty 415:
    /// the handler answers them with its own problem (<see cref="CreditsJsonBody"/>); the document assumes JSON.
    /// </summary>
    public static RouteHandlerBuilder AcceptsCreditJson<TBody>(this RouteHandlerBuilder builder)
        where TBody : notnull =>
        builder.WithMetadata(new JsonBodyMetadata(typeof(TBody))).ProducesCreditProblems(
            StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);

    /// <summary>Documents a signed webhook delivery: its receipt comes from the typed result; bad signatures 400, oversized 413, missing secret 503.</summary>
    public static RouteHandlerBuilder ProducesWebhookProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesCreditProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status503ServiceUnavailable);

    /// <summary>A request body for the API description only: no content types, so the content-type matcher leaves the endpoint alone.</summary>
    private sealed class JsonBodyMetadata(Type requestType) : Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata
    {
        public IReadOnlyList<string> ContentTypes => [];

        public Type? RequestType => requestType;

        public bool IsOptional => false;
    }
}
