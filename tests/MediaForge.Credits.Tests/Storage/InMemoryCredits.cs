using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>The library on EF Core's in-memory provider, each call with a database of its own (not in Infrastructure/: the add-on's tests compile that folder without the provider).</summary>
public static class InMemoryCredits
{
    /// <summary>The services of a host on the in-memory provider, with its options and, when given, its clock.</summary>
    public static ServiceProvider Services(Action<CreditsOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var name = Guid.NewGuid().ToString();
        services.AddDbContext<CreditsDbContext>(o => o.UseInMemoryDatabase(name));
        services.AddMediaForgeCredits(configure).UseEntityFrameworkCore<CreditsDbContext>();
        return services.BuildServiceProvider();
    }
}
