using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MediaForge.Credits.Tests.Subscriptions.SubscriptionScenario;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>
/// The plan summary on a provider without the library's SQL (EF InMemory, which hosts unit-test with): with no
/// statement to say whether a user has a subscription, the summary looks the subscription up itself.
/// </summary>
public sealed class SubscriptionInMemoryProviderTests
{
    [Fact]
    public async Task PlanSummary_OnAProviderWithoutSql_FindsASubscriptionTheHostSeeded()
    {
        await using var services = InMemoryCredits.Services(
            o => o.DefaultPlans.Add(new CreditPlan { Id = "sc-basic", Name = "Basic", StripePriceId = Basic, CreditsPerPeriod = 100 }),
            new FakeTimeProvider(Now));
        await services.InitializeCreditsAsync(createSchema: true);
        var (user, sub) = (NewUser(), NewSubscription());
        await using (var seed = services.CreateAsyncScope())
        {
            var db = seed.ServiceProvider.GetRequiredService<CreditsDbContext>();
            db.Add(new CreditSubscriptionRow { Id = sub, UserId = user, PlanId = "sc-basic", Status = CreditSubscriptionStatus.Active, CreatedAt = March, UpdatedAt = March });
            await db.SaveChangesAsync();
        }

        var summary = await DoAsync(services, s => s.GetSummaryAsync(user, default));

        Assert.Equal(("sc-basic", "Basic", CreditSubscriptionStatus.Active), (summary!.PlanId, summary.PlanName, summary.Status));
    }
}
