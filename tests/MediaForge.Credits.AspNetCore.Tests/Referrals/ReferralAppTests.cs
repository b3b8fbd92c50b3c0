using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.AspNetCore.Tests.Referrals;

/// <summary>
/// Base of the referral HTTP and webhook tests: the README's host with referrals on (bonus 10, reward 25), no sign-up
/// package and the public address <c>https://app.example.com</c>.
/// </summary>
public abstract class ReferralAppTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    public const string PublicBase = "https://app.example.com";

    protected CreditsApp App { get; private set; } = null!;

    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync() => App = await CreditsApp.StartAsync(database, database.ConnectionString, services =>
    {
        services.Configure<CreditsOptions>(o =>
        {
            o.Referrals.Enabled = true;
            o.Referrals.RefereeBonus = 10;
            o.Referrals.ReferrerReward = 25;
            o.Referrals.LinkPath = "/sign-up";
        });
        services.Configure<CreditsHttpOptions>(o => o.PublicBaseUrl = PublicBase);
        services.Configure<CreditsClerkOptions>(o => o.SignUpPackageId = null); // balances show the referral bonus alone
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    protected Task<string> CodeOfAsync(string userId) => App.WithServiceAsync<string, ICreditReferralService>(r => r.GetOrCreateCodeAsync(userId));
}
