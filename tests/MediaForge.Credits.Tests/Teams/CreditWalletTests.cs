using MediaForge.Credits.Ledger;
using MediaForge.Credits.Teams;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>The wallet value and its one mapping to a ledger account.</summary>
public sealed class CreditWalletTests
{
    [Fact]
    public void Personal_IsTheDefaultAndNotATeam() =>
        Assert.Equal((default(CreditWallet), false, (string?)null, "personal"), (CreditWallet.Personal, CreditWallet.Personal.IsTeam, CreditWallet.Personal.TeamId, CreditWallet.Personal.ToString()));

    [Fact]
    public void Team_NamesTheTeam() =>
        Assert.Equal((true, "org_1", "team:org_1"), (CreditWallet.Team("org_1").IsTeam, CreditWallet.Team("org_1").TeamId, CreditWallet.Team("org_1").ToString()));

    [Fact]
    public void Team_SameId_EqualWallets() => Assert.Equal(CreditWallet.Team("org_1"), CreditWallet.Team("org_1"));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("org 1")]
    [InlineData("org\u00001")]
    [InlineData("o1234567890123456789012345678901234567890123456789012345678901234")]
    public void Team_MalformedId_Throws(string teamId) => Assert.ThrowsAny<ArgumentException>(() => CreditWallet.Team(teamId));

    [Fact]
    public void Team_SixtyFourCharacters_Accepted() => Assert.Equal(64, CreditWallet.Team(new string('o', 64)).TeamId!.Length);

    [Fact]
    public void Team_SixtyFiveCharacters_ThrowsSayingTheRuleAndTheLength()
    {
        var error = Assert.Throws<ArgumentException>(() => CreditWallet.Team(new string('o', 65)));

        Assert.Equal("teamId", error.ParamName);
        Assert.StartsWith("A team id has 1 to 64 characters and no spaces or control characters (was 65 characters long).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accounts_PersonalWallet_IsTheUsersOwnAccount() => Assert.Equal("user_1", CreditWalletAccounts.For("user_1", CreditWallet.Personal));

    [Fact]
    public void Accounts_TeamWallet_IsTheReservedTeamAccount()
    {
        var account = CreditWalletAccounts.For("user_1", CreditWallet.Team("org_1"));

        Assert.Equal(("mf:team:org_1", "org_1"), (account, CreditWalletAccounts.TeamOf(account)));
        Assert.Null(CreditWalletAccounts.TeamOf("user_1"));
    }

    [Theory]
    [InlineData("mf:team:org_1")]
    [InlineData("mf:")]
    public void UserId_InTheReservedSpace_Throws(string userId)
    {
        var error = Assert.Throws<ArgumentException>(() => CreditArguments.UserId(userId));

        Assert.Equal("userId", error.ParamName);
    }

    [Fact]
    public void AdminUserIds_InTheReservedSpace_FailValidation()
    {
        var options = new CreditsOptions();
        options.AdminUserIds.Add("mf:team:org_1");

        var result = new MediaForge.Credits.DependencyInjection.CreditsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("mf:team:org_1", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(367 * 24 * 60.0)]
    public void LimitPeriod_OutOfBounds_FailsValidation(double minutes)
    {
        var options = new CreditsOptions();
        options.Teams.LimitPeriod = TimeSpan.FromMinutes(minutes);

        Assert.True(new MediaForge.Credits.DependencyInjection.CreditsOptionsValidator().Validate(null, options).Failed);
    }
}
