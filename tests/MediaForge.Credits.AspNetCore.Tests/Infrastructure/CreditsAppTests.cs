using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.AspNetCore.Tests.Infrastructure;

/// <summary>Base of the functional tests: a fresh app per test on the class's database; users are unique per test.</summary>
public abstract class CreditsAppTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : CreditsDatabase
{
    protected CreditsApp App { get; private set; } = null!;

    /// <summary>The class's database, for tests that start a host of their own.</summary>
    protected TDatabase Database => database;

    protected static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync() => App = await CreditsApp.StartAsync(database, database.ConnectionString);

    public async Task DisposeAsync() => await App.DisposeAsync();
}
