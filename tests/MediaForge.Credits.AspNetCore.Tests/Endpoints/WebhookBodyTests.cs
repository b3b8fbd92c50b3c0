using System.Text;
using MediaForge.Credits.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaForge.Credits.AspNetCore.Tests.Endpoints;

/// <summary>The raw webhook body reader: the exact text up to the limit, nothing over it, declared or not.</summary>
public sealed class WebhookBodyTests
{
    private const int Limit = 64;

    private static HttpRequest Request(string body, bool declareLength = true)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = declareLength ? bytes.Length : null;
        return context.Request;
    }

    [Fact]
    public async Task ReadAsync_BodyOfExactlyTheLimit_ReturnsIt()
    {
        var body = new string('a', Limit);

        Assert.Equal(body, await WebhookBody.ReadAsync(Request(body), Limit, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_UndeclaredBodyOfExactlyTheLimit_ReturnsIt()
    {
        var body = new string('a', Limit);

        Assert.Equal(body, await WebhookBody.ReadAsync(Request(body, declareLength: false), Limit, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverTheLimit_ReturnsNull()
    {
        Assert.Null(await WebhookBody.ReadAsync(Request(new string('a', Limit + 1)), Limit, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverTheLimit_RefusesWithoutReadingTheBody()
    {
        var request = Request(new string('a', Limit + 1));

        await WebhookBody.ReadAsync(request, Limit, CancellationToken.None);

        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task ReadAsync_UndeclaredBodyOverTheLimit_ReturnsNull()
    {
        Assert.Null(await WebhookBody.ReadAsync(Request(new string('a', Limit + 1), declareLength: false), Limit, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_UndeclaredBodyOverTheLimitInItsSecondChunk_ReturnsNull()
    {
        var limit = 20 * 1024;

        Assert.Null(await WebhookBody.ReadAsync(Request(new string('a', limit + 1), declareLength: false), limit, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_BodyOfSeveralChunks_ReturnsTheExactText()
    {
        var body = string.Concat(Enumerable.Range(0, 5000).Select(i => $"é{i};"));

        Assert.Equal(body, await WebhookBody.ReadAsync(Request(body), 1024 * 1024, CancellationToken.None));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task ReadSignedAsync_NoSecret_Returns503NamingTheSecret(string? secret)
    {
        var (body, problem) = await WebhookBody.ReadSignedAsync(Request("{}"), secret, "The Stripe webhook secret (STRIPE_WEBHOOK_SECRET)", Limit, CancellationToken.None);

        Assert.Null(body);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem!.StatusCode);
        Assert.Contains("STRIPE_WEBHOOK_SECRET", problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadSignedAsync_BodyOverTheLimit_Returns413()
    {
        var (body, problem) = await WebhookBody.ReadSignedAsync(Request(new string('a', Limit + 1)), "whsec_x", "secret", Limit, CancellationToken.None);

        Assert.Null(body);
        Assert.Equal((StatusCodes.Status413PayloadTooLarge, "The webhook body is too large."), (problem!.StatusCode, problem.ProblemDetails.Title));
    }

    [Fact]
    public async Task ReadSignedAsync_SecretAndBodyWithinTheLimit_ReturnsTheBody()
    {
        var (body, problem) = await WebhookBody.ReadSignedAsync(Request("{\"id\":1}"), "whsec_x", "secret", Limit, CancellationToken.None);

        Assert.Equal(("{\"id\":1}", (ProblemHttpResult?)null), (body, problem));
    }
}
