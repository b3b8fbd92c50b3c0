using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.OpenApi;

/// <summary>
/// The OpenAPI document a host serves (<c>AddOpenApi</c>/<c>MapOpenApi</c>) against the endpoints the add-on maps:
/// every credit endpoint with its request, response and problem types, enums by name.
/// </summary>
public sealed class CreditsOpenApiTests(SqliteCreditsDatabase database) : IClassFixture<SqliteCreditsDatabase>, IAsyncLifetime
{
    private static readonly string[] CreditTags = ["Credits", "Referrals", "Gifts", "Stripe", "Clerk", "Credits admin"];
    private CreditsApp app = null!;
    private JsonElement document;

    public async Task InitializeAsync()
    {
        app = await CreditsApp.StartAsync(database, database.ConnectionString, s => s.AddOpenApi(), a => a.MapOpenApi());
        document = JsonDocument.Parse(await app.Client().GetStringAsync("/openapi/v1.json")).RootElement;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>Every endpoint the add-on mapped for the document (tagged as a credit endpoint, not excluded), one row per method.</summary>
    private List<(string Path, string Method, RouteEndpoint Endpoint)> CreditEndpoints() =>
        [.. from endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            where endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true }
                && endpoint.Metadata.GetOrderedMetadata<ITagsMetadata>().SelectMany(t => t.Tags).Any(CreditTags.Contains)
            from method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods
            select ("/" + endpoint.RoutePattern.RawText!.Trim('/'), method.ToLowerInvariant(), endpoint)];

    private JsonElement Operation(string path, string method) =>
        document.GetProperty("paths").TryGetProperty(path, out var item) && item.TryGetProperty(method, out var operation)
            ? operation
            : throw new Xunit.Sdk.XunitException($"{method.ToUpperInvariant()} {path} is not in the OpenAPI document.");

    private JsonElement OperationById(string operationId) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Single(o => o.Value.TryGetProperty("operationId", out var id) && id.GetString() == operationId).Value;

    private static bool HasSchema(JsonElement response) =>
        response.TryGetProperty("content", out var content) && content.EnumerateObject().Any(m => m.Value.TryGetProperty("schema", out _));

    [Fact]
    public void Document_EveryCreditEndpoint_HasItsSuccessResponseWithASchema()
    {
        var endpoints = CreditEndpoints();

        var names = endpoints.Select(e => e.Endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName).ToList();
        Assert.Superset(new HashSet<string?> { "GetCreditBalance", "CreateCheckoutSession", "StripeWebhook", "ClerkWebhook", "AdjustUserCredits", "ExportCreditUsage",
            "GetCreditReferrals", "AttachCreditReferral", "GetCreditGifts", "CreateCreditGift", "RedeemCreditGift", "CancelCreditGift", "ReissueCreditGiftCode" },
            names.ToHashSet());
        Assert.All(endpoints, e => Assert.True(HasSchema(Operation(e.Path, e.Method).GetProperty("responses").GetProperty("200")),
            $"{e.Method} {e.Path}: no 200 schema"));
    }

    [Fact]
    public void Document_EveryAuthorizedEndpoint_DescribesItsProblemAnswers()
    {
        var authorized = CreditEndpoints().Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
            && e.Endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null).ToList();

        Assert.NotEmpty(authorized);
        Assert.All(authorized, e =>
        {
            var responses = Operation(e.Path, e.Method).GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out var unauthorized), $"{e.Method} {e.Path}: no 401");
            Assert.True(unauthorized.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{e.Method} {e.Path}: 401 is not a problem");
        });
    }

    [Fact]
    public void Document_EveryProblemTheEndpointsDeclare_IsProblemJson()
    {
        var declared = CreditEndpoints().SelectMany(e => e.Endpoint.Metadata.OfType<IProducesResponseTypeMetadata>()
            .Where(m => m.StatusCode >= 400).Select(m => (e.Path, e.Method, m.StatusCode))).ToList();

        Assert.NotEmpty(declared);
        Assert.All(declared, d => Assert.True(Operation(d.Path, d.Method).GetProperty("responses").GetProperty(d.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .GetProperty("content").TryGetProperty("application/problem+json", out _), $"{d.Method} {d.Path} {d.StatusCode}"));
    }

    [Fact]
    public void Document_GiftEndpoints_DescribeTheCreatedGiftAndTheRateLimit()
    {
        var created = OperationById("CreateCreditGift").GetProperty("responses").GetProperty("201");
        var limited = OperationById("RedeemCreditGift").GetProperty("responses").GetProperty("429");

        Assert.True(HasSchema(created));
        Assert.True(limited.GetProperty("content").TryGetProperty("application/problem+json", out _));
    }

    [Theory]
    [InlineData("CreateCheckoutSession", "CreateCheckoutSessionRequest")]
    [InlineData("AdjustUserCredits", "CreditAdjustmentRequest")]
    [InlineData("AttachCreditReferral", "AttachReferralRequest")]
    [InlineData("CreateCreditGift", "CreateCreditGiftRequest")]
    [InlineData("RedeemCreditGift", "RedeemCreditGiftRequest")]
    public void Document_BodyEndpoint_DescribesItsJsonRequest(string operationId, string schema)
    {
        var body = OperationById(operationId).GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");

        Assert.Equal("#/components/schemas/" + schema, body.GetProperty("$ref").GetString());
    }

    [Theory]
    [InlineData(typeof(CreditTransactionType))]
    [InlineData(typeof(MediaForge.Credits.Entities.PurchaseStatus))]
    [InlineData(typeof(CreditAnalyticsBucket))]
    [InlineData(typeof(CreditGiftStatus))]
    public void Document_LibraryEnum_IsDescribedByItsNames(Type enumType)
    {
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty(enumType.Name);

        Assert.Equal(Enum.GetNames(enumType), schema.GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
    }
}
