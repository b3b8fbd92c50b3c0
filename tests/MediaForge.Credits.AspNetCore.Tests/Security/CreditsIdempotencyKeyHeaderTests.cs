using Microsoft.AspNetCore.Http;

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
}
