using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MediaForge.Credits.Tests.Subscriptions.SubscriptionScenario;

namespace MediaForge.Credits.Tests.Subscriptions;

/// <summary>What every subscription test class has: its database, a clock at <see cref="SubscriptionScenario.Now"/> and the services of <see cref="SubscriptionScenario"/>.</summary>
public abstract class SubscriptionTestsBase<TDatabase>(TDatabase database)
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? services;

    protected TDatabase Database => database;

    protected FakeTimeProvider Clock { get; } = new(Now);

    protected async Task<ServiceProvider> ServicesAsync() => services ??= await BuildAsync(database, Clock);
}
