using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// What every group of cells gets: the settings, the store under test, the library's services on it (default options)
/// and the report the cells add their rows and targets to.
/// </summary>
internal sealed record BenchContext(Settings Settings, BenchStore Store, ServiceProvider Provider, BenchReport Report, bool Variant)
{
    /// <summary>Price of image-generation/default in the seeded catalog.</summary>
    public const long Cost = 3;

    /// <summary>
    /// The library's services on the store, as a host registers them (<c>AddDbContextPool</c>, <c>AddMediaForgeCredits</c>,
    /// <c>UseEntityFrameworkCore</c>), with the options and registrations a cell needs on top. Hosted services (the
    /// event dispatcher, the sweepers) are not started; a cell that needs one starts it.
    /// </summary>
    public static ServiceProvider Services(BenchStore store, Action<CreditsOptions>? configure = null, Action<CreditsBuilder>? register = null,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddDbContextPool<CreditsDbContext>(store.UseProvider);
        var builder = collection.AddMediaForgeCredits(configure).UseEntityFrameworkCore<CreditsDbContext>();
        register?.Invoke(builder);
        services?.Invoke(collection);
        return collection.BuildServiceProvider();
    }

    /// <summary><see cref="Services"/> with options or registrations of the cell's own, on this context's store.</summary>
    public ServiceProvider Services(Action<CreditsOptions>? configure, Action<CreditsBuilder>? register = null, Action<IServiceCollection>? services = null) =>
        Services(Store, configure, register, services);

    public static void Log(string message) => Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Seeds <paramref name="count"/> users <c>{prefix}.u.00000</c>... with <paramref name="balance"/> each.</summary>
    public async Task<List<string>> SeedUsersAsync(string prefix, int count, long balance)
    {
        var users = Enumerable.Range(0, count).Select(i => $"{prefix}.u.{i:D5}").ToList();
        await Store.SeedAccountsAsync(users, balance);
        return users;
    }

    /// <summary>Runs <paramref name="action"/> on a service of a scope of its own.</summary>
    public static async Task<TResult> InScopeAsync<TService, TResult>(IServiceProvider provider, Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>The library's deduction of image-generation/default: true when debited, false when refused for credits.</summary>
    public static async Task<bool> DeductAsync(IServiceProvider provider, string user, string? idempotencyKey = null)
    {
        await using var scope = provider.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        var result = await credits.DeductCreditsAsync(user, "image-generation", "default", idempotencyKey: idempotencyKey);
        return result.Error switch
        {
            CreditDeductionError.None => true,
            CreditDeductionError.InsufficientCredits => false,
            _ => throw new InvalidOperationException($"Unexpected deduction error {result.Error}"),
        };
    }
}
