using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaForge.Credits.AspNetCore.Tests.Security;

/// <summary>The Idempotency-Key header reader: bounded, visible ASCII, one value, no reserved prefix.</summary>
public sealed class CreditsIdempotencyKeyHeaderTests
{
    private static (bool Valid, string? Key, IResult? Problem) Read(params string[]? values)
    {
        var context = new DefaultHttpContext();
        if (values is not null)
        {
            context.Request.Headers[CreditsIdempotencyKeyHeader.HeaderName] = values;
        }

        var valid = CreditsIdempotencyKeyHeader.TryRead(context.Request, out var key, out var problem);
        return (valid, key, problem);
    }

    [Fact]
    public void TryRead_NoHeader_ValidWithoutKey() => Assert.Equal((true, (string?)null), (Read(null).Valid, Read(null).Key));

    [Fact]
    public void TryRead_OrdinaryKey_ReturnsIt() => Assert.Equal("job-2026-11-30_7", Read("job-2026-11-30_7").Key);

    [Fact]
    public void TryRead_OrdinaryKey_IsValid() => Assert.True(Read("job-2026-11-30_7").Valid);

    [Fact]
    public void TryRead_NoRequest_IsAnArgumentError() =>
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => CreditsIdempotencyKeyHeader.TryRead(null!, out _, out _)).ParamName);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("with space")]
    [InlineData("ключ")]
    [InlineData("mf:purchase:cs_test_1")]
    [InlineData("MF:refund:x")]
    public void TryRead_BadKey_Refused(string value)
    {
        var (valid, _, problem) = Read(value);

        Assert.False(valid);
        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsAssignableFrom<IStatusCodeHttpResult>(problem).StatusCode);
    }

    [Fact]
    public void TryRead_KeyOf300Characters_Refused() => Assert.False(Read(new string('k', 300)).Valid);

    [Fact]
    public void TryRead_TwoValues_Refused() => Assert.False(Read("one", "two").Valid);

    [Fact]
    public void TryRead_KeyOf100Characters_ReturnsIt() => Assert.Equal(new string('k', 100), Read(new string('k', 100)).Key);

    [Fact]
    public void TryRead_KeyOf101Characters_Refused() => Assert.False(Read(new string('k', 101)).Valid);

    [Theory]
    [InlineData("!")]
    [InlineData("~")]
    [InlineData("m")]
    [InlineData("mf")]
    [InlineData("job:mf:1")]
    public void TryRead_VisibleAsciiKeyWithoutTheReservedPrefix_ReturnsIt(string value) => Assert.Equal(value, Read(value).Key);

    [Theory]
    [InlineData("job\u007f")]
    [InlineData("job\u0080")]
    [InlineData("job\t1")]
    public void TryRead_KeyWithADeleteTabOrNonAsciiCharacter_Refused(string value) => Assert.False(Read(value).Valid);

    [Fact]
    public void TryRead_BadKey_AnswersTheInvalidKeyProblem()
    {
        var problem = Assert.IsType<ProblemHttpResult>(Read("mf:x").Problem);

        Assert.Equal(("urn:mediaforge:credits:invalid_idempotency_key", "The Idempotency-Key header is invalid.",
                "Send one Idempotency-Key of 1 to 100 visible ASCII characters (no spaces), not starting with 'mf:'."),
            (problem.ProblemDetails.Type, problem.ProblemDetails.Title, problem.ProblemDetails.Detail));
    }

    [Fact]
    public void TryRead_ValidKey_HasNoProblem() => Assert.Null(Read("job-1").Problem);

    [Fact]
    public void TryRead_BadKey_GivesNoKey() => Assert.Null(Read("mf:x").Key);
}
