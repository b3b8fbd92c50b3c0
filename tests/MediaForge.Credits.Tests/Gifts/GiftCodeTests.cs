using MediaForge.Credits.Gifts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>Gift codes (generation, lenient parsing, hashing) and the per-user redemption limit, without a database.</summary>
public sealed class GiftCodeTests
{
    [Fact]
    public void New_ThirtyTwoBase32LettersInGroupsOfFour_EachDifferent()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => CreditGiftCodes.New()).ToList();

        Assert.All(codes, c => Assert.Matches("^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$", c.Code));
        Assert.Equal(1000, codes.Select(c => c.Hash).Distinct().Count());
        Assert.All(codes, c => Assert.Equal(c.Hash, CreditGiftCodes.TryHash(c.Code)));
    }

    [Theory]
    [InlineData("000a141e28323c46505a646e78828c96a0aab4be", "AAFBIHRIGI6EMUC2MRXHRAUMS2QKVNF6")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffff", "77777777777777777777777777777777")]
    public void Canonical_TwentyRandomBytes_AreTheirRfc4648Base32Letters(string bytes, string letters) =>
        Assert.Equal(letters, CreditGiftCodes.Canonical(Convert.FromHexString(bytes)));

    [Fact]
    public void TryHash_SpacesLowerCaseMissingDashesAndLookAlikeDigits_SameHash()
    {
        var hash = CreditGiftCodes.TryHash("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567");

        Assert.Equal(hash, CreditGiftCodes.TryHash("  abcdefghijklmnopqrstuvwxyz234567 "));
        Assert.Equal(hash, CreditGiftCodes.TryHash("A8CD-EFGH-1JKL-MN0P-QRST-UVWX-YZ23-4567"));
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-456")]
    [InlineData("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-45677")]
    [InlineData("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-456!")]
    [InlineData("ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567")]
    [InlineData("ÄBCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")]
    public void TryHash_Malformed_IsNoCode(string? input) => Assert.Null(CreditGiftCodes.TryHash(input));

    [Fact]
    public void TryHash_LongerThanTheBound_IsNoCode() =>
        Assert.Null(CreditGiftCodes.TryHash(new string('-', CreditGiftCodes.MaxInputLength - 32) + new string('A', 33)));

    [Fact]
    public void TryHash_CodeExactlyAsLongAsTheBound_IsACode() =>
        Assert.NotNull(CreditGiftCodes.TryHash(new string('-', CreditGiftCodes.MaxInputLength - 32) + new string('A', 32)));

    [Fact]
    public void TryHash_WellFormedCodePaddedPastTheBound_IsNoCode() =>
        Assert.Null(CreditGiftCodes.TryHash(new string('-', CreditGiftCodes.MaxInputLength - 31) + new string('A', 32)));

    [Fact]
    public void Limiter_AttemptsOverTheWindow_RefusedUntilItEnds()
    {
        var clock = new FakeTimeProvider();
        var limiter = Limiter(clock, attempts: 3);

        Assert.Equal([null, null, null], Enumerable.Range(0, 3).Select(_ => limiter.TryAcquire("u")));
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(TimeSpan.FromMinutes(45), limiter.TryAcquire("u"));
        Assert.Null(limiter.TryAcquire("other"));
        clock.Advance(TimeSpan.FromMinutes(45));
        Assert.Null(limiter.TryAcquire("u"));
    }

    [Fact]
    public void Limiter_FullOfLiveWindows_RefusesNewUsersAndForgetsEndedOnes()
    {
        var clock = new FakeTimeProvider();
        var limiter = Limiter(clock, attempts: 1);
        for (var i = 0; i < CreditGiftRedeemLimiter.MaxUsers; i++)
        {
            limiter.TryAcquire($"u{i}");
        }

        Assert.Equal(TimeSpan.FromHours(1), limiter.TryAcquire("newcomer"));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(limiter.TryAcquire("newcomer"));
        Assert.Equal(1, limiter.Count);
    }

    [Fact]
    public void Limiter_FullOfLiveWindows_NewUserMayRetryWhenTheSoonestWindowEnds()
    {
        var clock = new FakeTimeProvider();
        var limiter = Limiter(clock, attempts: 1);
        for (var i = 0; i < CreditGiftRedeemLimiter.MaxUsers; i++)
        {
            if (i == CreditGiftRedeemLimiter.MaxUsers / 2)
            {
                clock.Advance(TimeSpan.FromMinutes(10));
            }

            limiter.TryAcquire($"u{i}");
        }

        Assert.Equal(TimeSpan.FromMinutes(50), limiter.TryAcquire("newcomer"));
    }

    private static CreditGiftRedeemLimiter Limiter(TimeProvider clock, int attempts)
    {
        var options = new CreditsOptions();
        options.Gifts.RedeemAttemptsPerWindow = attempts;
        return new CreditGiftRedeemLimiter(Options.Create(options), clock);
    }
}
