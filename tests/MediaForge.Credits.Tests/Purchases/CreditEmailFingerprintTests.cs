using MediaForge.Credits.Purchases;


namespace MediaForge.Credits.Tests.Purchases;

/// <summary>How e-mail addresses are normalized for the once-per-e-mail free package guard.</summary>
public sealed class CreditEmailFingerprintTests
{
    [Theory]
    [InlineData("  Jane.Doe+promo@GMail.com ", CreditEmailNormalization.TrimAndLowerCase, "jane.doe+promo@gmail.com")]
    [InlineData("Jane.Doe+promo@GMail.com", CreditEmailNormalization.IgnoreSubaddress, "jane.doe@gmail.com")]
    [InlineData("Jane.Doe+promo@example.com", CreditEmailNormalization.IgnoreSubaddressAndGmailDots, "jane.doe@example.com")]
    [InlineData("J.a.n.e+x@GoogleMail.com", CreditEmailNormalization.IgnoreSubaddressAndGmailDots, "jane@gmail.com")]
    [InlineData("+only@example.com", CreditEmailNormalization.IgnoreSubaddress, "+only@example.com")]
    public void Normalize_PerMode_ReducesTheAddress(string email, CreditEmailNormalization mode, string expected) =>
        Assert.Equal(expected, CreditEmailFingerprint.Normalize(email, mode));

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("no-at-sign")]
    [InlineData("@example.com")]
    [InlineData("jane@")]
    public void Normalize_Unusable_IsNull(string? email) =>
        Assert.Null(CreditEmailFingerprint.Normalize(email, CreditEmailNormalization.TrimAndLowerCase));

    [Fact]
    public void Normalize_Exactly320Characters_IsKept() =>
        Assert.NotNull(CreditEmailFingerprint.Normalize(new string('a', 308) + "@example.com", CreditEmailNormalization.TrimAndLowerCase));

    [Fact]
    public void Normalize_OneCharacterLocalPart_IsKept() =>
        Assert.Equal("j@example.com", CreditEmailFingerprint.Normalize("J@example.com", CreditEmailNormalization.TrimAndLowerCase));

    [Fact]
    public void Normalize_GmailLocalPartOfOnlyDots_IsNull() =>
        Assert.Null(CreditEmailFingerprint.Normalize("...@gmail.com", CreditEmailNormalization.IgnoreSubaddressAndGmailDots));

    [Fact]
    public void Normalize_LongerThan320Characters_IsNull() =>
        Assert.Null(CreditEmailFingerprint.Normalize(new string('a', 310) + "@example.com", CreditEmailNormalization.TrimAndLowerCase));

    [Fact]
    public void Compute_SameAddressDifferentCase_IsTheSameSha256Hex()
    {
        var hash = CreditEmailFingerprint.Compute(" Sam@Example.com", CreditEmailNormalization.TrimAndLowerCase);

        Assert.Equal(hash, CreditEmailFingerprint.Compute("sam@example.com", CreditEmailNormalization.TrimAndLowerCase));
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }
}
