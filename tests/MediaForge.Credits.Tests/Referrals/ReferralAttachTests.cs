using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Referrals;

/// <summary>Referral codes and attaching a referee: each guard's refusal, and the referee's bonus granted once.</summary>
public abstract class ReferralAttachTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ReferralSetup? setup;

    private ReferralSetup Setup => setup ??= new ReferralSetup(database);

    /// <summary>A start whose ticks every store keeps (PostgreSQL keeps microseconds).</summary>
    private static DateTimeOffset WholeSecond(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    [Fact]
    public async Task GetOrCreateCode_CalledAgain_ReturnsTheSameCode()
    {
        var user = await Setup.SignUpAsync("alice");

        var first = await Setup.CodeOf(user);
        var second = await Setup.CodeOf(user);

        Assert.Equal(first, second);
        Assert.Matches("^[2-9A-HJKMNP-Z]{10}$", first);
        Assert.DoesNotContain(first, user, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task GetOrCreateCode_TwentyConcurrentFirstCalls_OneCodeForTheUser()
    {
        var user = await Setup.SignUpAsync("alice");

        var codes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Setup.CodeOf(user))));

        Assert.Single(codes.Distinct());
        var rows = 0;
        await Setup.WithContextAsync(async db => rows = await db.ReferralCodes.CountAsync(c => c.UserId == user));
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task GetOrCreateCode_Disabled_Throws()
    {
        var off = new ReferralSetup(database, o => o.Enabled = false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => off.CodeOf(ReferralSetup.NewUser("alice")));
    }

    [Fact]
    public async Task AttachReferral_TheRefereesBonusRowSaysWhatItIs()
    {
        var (_, referee) = await Setup.ReferredPairAsync();

        Assert.Equal(["Referral sign-up bonus"], await Setup.DescriptionsAsync(referee));
    }

    [Fact]
    public async Task AttachReferral_ValidCodeAnyCaseAndSpaces_AttachesAndGrantsTheRefereeBonus()
    {
        var referrer = await Setup.SignUpAsync("referrer");
        var referee = await Setup.SignUpAsync("referee");
        var code = await Setup.CodeOf(referrer);

        var result = await Setup.AttachAsync(referee, "  " + code.ToLowerInvariant() + " ");

        Assert.Equal((CreditReferralAttachOutcome.Attached, ReferralSetup.Bonus), (result.Outcome, result.RefereeBonus));
        Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
        Assert.Equal(0, await Setup.BalanceAsync(referrer));
        var referral = await Setup.ReferralOfAsync(referee);
        Assert.Equal((referrer, CreditReferralStatus.Attached, code), (referral!.ReferrerId, referral.Status, referral.Code));
    }

    [Fact]
    public async Task AttachReferral_Retried_AlreadyAttachedAndOneBonus()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();

        var again = await Setup.AttachAsync(referee, await Setup.CodeOf(referrer));

        Assert.Equal((CreditReferralAttachOutcome.AlreadyAttached, true, ReferralSetup.Bonus), (again.Outcome, again.IsAttached, again.RefereeBonus));
        Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
        Assert.Equal(1, await Setup.RowsWithKeyAsync(referee, "mf:referral:bonus:" + referee));
    }

    [Fact]
    public async Task AttachReferral_TwentyConcurrentAttachesOfOneReferee_OneReferralAndOneBonus()
    {
        var referrers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            referrers.Add(await Setup.SignUpAsync("referrer" + i));
        }

        var codes = await Task.WhenAll(referrers.Select(Setup.CodeOf));
        var referee = await Setup.SignUpAsync("referee");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Setup.AttachAsync(referee, codes[i % codes.Length]))));

        Assert.Single(results, r => r.Outcome == CreditReferralAttachOutcome.Attached);
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { CreditReferralAttachOutcome.Attached, CreditReferralAttachOutcome.AlreadyAttached, CreditReferralAttachOutcome.AlreadyReferred }));
        Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
        await Setup.AssertLedgersAsync(referee);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCDEFGHJK")]
    [InlineData("abc'; DROP TABLE credit_referrals; --")]
    [InlineData("0O1IL0O1IL")]
    public async Task AttachReferral_UnknownOrMalformedCode_UnknownCodeAndNothingGranted(string? code)
    {
        var referee = await Setup.SignUpAsync("referee");

        var result = await Setup.AttachAsync(referee, code);

        Assert.Equal((CreditReferralAttachOutcome.UnknownCode, false, 0L), (result.Outcome, result.IsAttached, result.RefereeBonus));
        Assert.Equal(0, await Setup.BalanceAsync(referee));
        Assert.Null(await Setup.ReferralOfAsync(referee));
    }

    [Fact]
    public async Task AttachReferral_HugeCode_UnknownCode()
    {
        var result = await Setup.AttachAsync(await Setup.SignUpAsync("referee"), new string('A', 1_000_000));

        Assert.Equal(CreditReferralAttachOutcome.UnknownCode, result.Outcome);
    }

    [Fact]
    public async Task AttachReferral_OwnCode_SelfReferral()
    {
        var user = await Setup.SignUpAsync("alice");

        var result = await Setup.AttachAsync(user, await Setup.CodeOf(user));

        Assert.Equal(CreditReferralAttachOutcome.SelfReferral, result.Outcome);
        Assert.Equal(0, await Setup.BalanceAsync(user));
    }

    [Fact]
    public async Task AttachReferral_SecondAccountWithTheReferrersNormalizedEmail_SelfReferral()
    {
        var local = Guid.NewGuid().ToString("N")[..12];
        var referrer = await Setup.SignUpAsync("referrer", $"{local}@gmail.com");
        var referee = await Setup.SignUpAsync("referee", $" {local[..4]}.{local[4..].ToUpperInvariant()}+ref@googlemail.com ");

        var result = await Setup.AttachAsync(referee, await Setup.CodeOf(referrer));

        Assert.Equal(CreditReferralAttachOutcome.SelfReferral, result.Outcome);
        Assert.Equal(0, await Setup.BalanceAsync(referee));
    }

    [Fact]
    public async Task AttachReferral_AnotherReferrersCodeLater_AlreadyReferredForGood()
    {
        var (_, referee) = await Setup.ReferredPairAsync();
        var other = await Setup.SignUpAsync("other");

        var result = await Setup.AttachAsync(referee, await Setup.CodeOf(other));

        Assert.Equal(CreditReferralAttachOutcome.AlreadyReferred, result.Outcome);
        Assert.Equal(ReferralSetup.Bonus, await Setup.BalanceAsync(referee));
    }

    [Fact]
    public async Task AttachReferral_NewAccountWithTheEmailOfAReferredOne_AlreadyReferred()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var referrer = await Setup.SignUpAsync("referrer");
        var first = await Setup.SignUpAsync("first", email);
        await Setup.AttachAsync(first, await Setup.CodeOf(referrer));
        var again = await Setup.SignUpAsync("again", email.ToUpperInvariant());

        var result = await Setup.AttachAsync(again, await Setup.CodeOf(referrer));

        Assert.Equal(CreditReferralAttachOutcome.AlreadyReferred, result.Outcome);
        Assert.Equal(0, await Setup.BalanceAsync(again));
    }

    [Fact]
    public async Task AttachReferral_RefereeReferringTheirReferrerBack_MutualReferral()
    {
        var (referrer, referee) = await Setup.ReferredPairAsync();

        var result = await Setup.AttachAsync(referrer, await Setup.CodeOf(referee));

        Assert.Equal(CreditReferralAttachOutcome.MutualReferral, result.Outcome);
        Assert.Equal(0, await Setup.BalanceAsync(referrer));
    }

    [Fact]
    public async Task AttachReferral_CodeOfADeletedUser_UnknownCode()
    {
        var referrer = await Setup.SignUpAsync("referrer");
        var code = await Setup.CodeOf(referrer);
        await Setup.WithContextAsync(db => db.Users.Where(u => u.Id == referrer).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeletedAt, DateTime.UtcNow)));

        var result = await Setup.AttachAsync(await Setup.SignUpAsync("referee"), code);

        Assert.Equal(CreditReferralAttachOutcome.UnknownCode, result.Outcome);
    }

    [Fact]
    public async Task AttachReferral_AfterTheWindow_WindowClosed()
    {
        var time = new FakeTimeProvider(WholeSecond(DateTimeOffset.UtcNow));
        var timed = new ReferralSetup(database, o => o.AttachWindow = TimeSpan.FromDays(2), time);
        var referrer = await timed.SignUpAsync("referrer");
        var referee = await timed.SignUpAsync("referee");
        var code = await timed.CodeOf(referrer);

        time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        var late = await timed.AttachAsync(referee, code);

        Assert.Equal(CreditReferralAttachOutcome.WindowClosed, late.Outcome);
        Assert.Equal(0, await timed.BalanceAsync(referee));
    }

    [Fact]
    public async Task AttachReferral_AtTheEndOfTheWindow_Attaches()
    {
        var time = new FakeTimeProvider(WholeSecond(DateTimeOffset.UtcNow));
        var timed = new ReferralSetup(database, o => o.AttachWindow = TimeSpan.FromDays(2), time);
        var referrer = await timed.SignUpAsync("referrer");
        var referee = await timed.SignUpAsync("referee");

        time.Advance(TimeSpan.FromDays(2));
        var result = await timed.AttachAsync(referee, await timed.CodeOf(referrer));

        Assert.Equal(CreditReferralAttachOutcome.Attached, result.Outcome);
    }

    [Fact]
    public async Task AttachReferral_TenConcurrentRefereesPastTheMonthlyAttachCap_OnlyTheCapAttached()
    {
        var capped = new ReferralSetup(database, o => o.MonthlyAttachCap = 3);
        var referrer = await capped.SignUpAsync("referrer");
        var code = await capped.CodeOf(referrer);
        var referees = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            referees.Add(await capped.SignUpAsync("referee" + i));
        }

        var results = await Task.WhenAll(referees.Select(r => Task.Run(() => capped.AttachAsync(r, code))));

        Assert.Equal(3, results.Count(r => r.Outcome == CreditReferralAttachOutcome.Attached));
        Assert.Equal(7, results.Count(r => r.Outcome == CreditReferralAttachOutcome.CapReached));
        var bonuses = 0L;
        foreach (var referee in referees)
        {
            bonuses += await capped.BalanceAsync(referee);
        }

        Assert.Equal(3 * ReferralSetup.Bonus, bonuses);
    }

    [Fact]
    public async Task AttachReferral_Disabled_DisabledAndNothingWritten()
    {
        var referrer = await Setup.SignUpAsync("referrer");
        var code = await Setup.CodeOf(referrer);
        var off = new ReferralSetup(database, o => o.Enabled = false);
        var referee = await off.SignUpAsync("referee");

        var result = await off.AttachAsync(referee, code);

        Assert.Equal(CreditReferralAttachOutcome.Disabled, result.Outcome);
        Assert.Null(await off.ReferralOfAsync(referee));
    }

    [Fact]
    public async Task AttachReferral_NoBonusConfigured_AttachesWithoutALedgerRow()
    {
        var free = new ReferralSetup(database, o => o.RefereeBonus = 0);
        var referrer = await free.SignUpAsync("referrer");
        var referee = await free.SignUpAsync("referee");

        var result = await free.AttachAsync(referee, await free.CodeOf(referrer));

        Assert.Equal((CreditReferralAttachOutcome.Attached, 0L), (result.Outcome, result.RefereeBonus));
        Assert.Equal(0, (await database.ReadLedgerAsync(referee, free.Services)).LedgerRows);
    }
}

public sealed class SqliteReferralAttachTests(SqliteCreditsDatabase database) : ReferralAttachTests<SqliteCreditsDatabase>(database);

public sealed class PostgresReferralAttachTests(PostgresCreditsDatabase database) : ReferralAttachTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbReferralAttachTests(MariaDbCreditsDatabase database) : ReferralAttachTests<MariaDbCreditsDatabase>(database);
