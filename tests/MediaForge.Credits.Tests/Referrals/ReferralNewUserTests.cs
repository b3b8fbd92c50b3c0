using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>
/// Referral calls for users the ledger has not seen yet (no sign-up webhook, no credits): a referrer's code and a
/// referee's attach create their rows first, so the code is found and the referee's bonus lands.
/// </summary>
public abstract class ReferralNewUserTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ReferralSetup Setup => field ??= new ReferralSetup(database);

    [Fact]
    public async Task AttachReferral_CodeOfAReferrerTheLedgerHadNotSeen_Attaches()
    {
        var referrer = ReferralSetup.NewUser("referrer");
        var code = await Setup.CodeOf(referrer);
        var referee = await Setup.SignUpAsync("referee", $"{Guid.NewGuid():N}@example.com");

        Assert.Equal(CreditReferralAttachOutcome.Attached, (await Setup.AttachAsync(referee, code)).Outcome);
    }

    [Fact]
    public async Task AttachReferral_RefereeTheLedgerHadNotSeen_AttachesWithTheBonus()
    {
        var referrer = await Setup.SignUpAsync("referrer", $"{Guid.NewGuid():N}@example.com");
        var referee = ReferralSetup.NewUser("referee");

        var attached = await Setup.AttachAsync(referee, await Setup.CodeOf(referrer));

        Assert.Equal((CreditReferralAttachOutcome.Attached, ReferralSetup.Bonus), (attached.Outcome, attached.RefereeBonus));
        Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
    }
}

public sealed class SqliteReferralNewUserTests(SqliteCreditsDatabase database) : ReferralNewUserTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralNewUserTests(PostgresCreditsDatabase database) : ReferralNewUserTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralNewUserTests(MariaDbCreditsDatabase database) : ReferralNewUserTests<MariaDbCreditsDatabase>(database);
