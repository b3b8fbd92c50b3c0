using System.Data.Common;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// Wallets with auto top-up on the tests' databases: the pack is <c>pro</c> (200 credits, 2999 cents), a deduction of
/// image-generation/default costs 3.
/// </summary>
internal static class TopUpScenario
{
    public const long Threshold = 10, PackCredits = 200, PackPrice = 2999;

    public static string NewWallet() => "tu_" + Guid.NewGuid().ToString("N");

    /// <summary>Services with no settings cache (every crossing sees the database) and the given clock.</summary>
    public static ServiceProvider Build(CreditsDatabase database, TimeProvider? time = null, Action<CreditsOptions>? configure = null,
        IInterceptor? interceptor = null) =>
        database.BuildServices(database.ConnectionString, o =>
        {
            o.AutoTopUp.SettingsCacheDuration = TimeSpan.Zero;
            configure?.Invoke(o);
        }, time, configureContext: interceptor is null ? null : c => c.AddInterceptors(interceptor));

    /// <summary>Saves auto top-up for <paramref name="wallet"/> with a payment method, and gives it <paramref name="credits"/>.</summary>
    public static async Task EnableAsync(IServiceProvider services, string wallet, long credits, int maxPerMonth = 5, long maxAmount = 100_000,
        bool enabled = true, bool paymentMethod = true)
    {
        await using var scope = services.CreateAsyncScope();
        var settings = scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>();
        if (credits > 0)
        {
            await scope.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(wallet, credits, CreditTransactionType.Purchase, "pack");
        }

        Assert.Equal(CreditAutoTopUpError.None, await settings.SaveAsync(wallet, new CreditAutoTopUpChange(enabled, Threshold, "pro", maxPerMonth, maxAmount), default));
        if (paymentMethod)
        {
            await settings.SavePaymentMethodAsync(wallet, "cus_" + wallet, "pm_" + wallet, default);
        }
    }

    /// <summary>Saves auto top-up of <c>pro</c> at <paramref name="threshold"/> for <paramref name="wallet"/> (5 a month, 100,000 cents), nothing else.</summary>
    public static async Task SaveSettingsAsync(IServiceProvider services, string wallet, bool enabled, long threshold)
    {
        await using var scope = services.CreateAsyncScope();
        var change = new CreditAutoTopUpChange(enabled, threshold, "pro", 5, 100_000);
        Assert.Equal(CreditAutoTopUpError.None, await scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>().SaveAsync(wallet, change, default));
    }

    public static async Task<CreditDeductionResult> DeductAsync(IServiceProvider services, string wallet)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICreditService>().DeductCreditsAsync(wallet, "image-generation", "default");
    }

    /// <summary>The wallet's top-ups, oldest first.</summary>
    public static async Task<List<CreditTopUpRow>> TopUpsAsync(IServiceProvider services, string wallet)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        return await db.Set<CreditTopUpRow>().AsNoTracking().Where(t => t.WalletId == wallet).OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync();
    }

    public static async Task<CreditAutoTopUpSettings> SettingsAsync(IServiceProvider services, string wallet)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>().ReadAsync(wallet, default);
    }

    /// <summary>A wallet with auto top-up given 12 credits, then a deduction of 3 that crossed: its one pending top-up.</summary>
    public static async Task<(string Wallet, Guid TopUp)> CrossedAsync(IServiceProvider services)
    {
        var wallet = NewWallet();
        await EnableAsync(services, wallet, 12);
        await DeductAsync(services, wallet); // 9
        return (wallet, Assert.Single(await TopUpsAsync(services, wallet)).Id);
    }

    /// <summary>Reports the top-up's payment intent as succeeded, in a transaction of its own (as the webhook does).</summary>
    public static Task<CreditTopUpOutcome> SucceedAsync(IServiceProvider services, Guid topUp, string paymentIntent, long amount = PackPrice, string currency = "usd") =>
        ChargesAsync(services, c => c.SucceededAsync(topUp, paymentIntent, amount, currency, "stripe", default));

    /// <summary>Runs <paramref name="action"/> on the top-up charges of a scope of its own, in a transaction (as the webhook does).</summary>
    public static async Task<T> ChargesAsync<T>(IServiceProvider services, Func<CreditTopUpCharges, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await action(scope.ServiceProvider.GetRequiredService<CreditTopUpCharges>());
        await transaction.CommitAsync();
        return result;
    }

    /// <summary>
    /// One crossing in one transaction: a grant that takes the wallet from below the threshold to <c>Threshold + 1</c>,
    /// then a deduction of 3 that takes it below again. Concurrent crossings of one wallet serialize on its balance row.
    /// </summary>
    public static async Task CrossAsync(IServiceProvider services, string wallet)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await MediaForge.Credits.Holds.CreditHolds.LockBalanceRowAsync(db, wallet, DateTime.UtcNow, default);
        var balance = await db.Set<MediaForge.Credits.Entities.CreditAccount>().Where(a => a.UserId == wallet).Select(a => a.Balance).SingleAsync();
        await credits.AddCreditsAsync(wallet, Threshold + 1 - balance, CreditTransactionType.Bonus, "back up");
        Assert.True((await credits.DeductCreditsAsync(wallet, "image-generation", "default")).Success);
        await transaction.CommitAsync();
    }
}

/// <summary>Counts the commands that name the auto top-up settings table.</summary>
internal sealed class SettingsStatementCounter : DbCommandInterceptor
{
    private int count;

    public int Count => Volatile.Read(ref count);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Note(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Note(command);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        Note(command);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    private void Note(DbCommand command)
    {
        if (InterceptedCommand.Text(command).Contains("credit_auto_top_ups", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref count);
        }
    }
}

/// <summary>
/// Holds the first two <c>INSERT</c>s into the auto top-up settings until both have arrived: two first saves of one
/// wallet that both found no row to update, so one insert loses the race whatever the database.
/// </summary>
internal sealed class FirstSettingsInsertsGate : DbCommandInterceptor
{
    private readonly TaskCompletionSource both = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int arrived;

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await WaitAsync(command);
        return await base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await WaitAsync(command);
        return await base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    private async Task WaitAsync(DbCommand command)
    {
        var text = InterceptedCommand.Text(command);
        if (!text.Contains("INSERT INTO", StringComparison.OrdinalIgnoreCase) || !text.Contains("credit_auto_top_ups", StringComparison.Ordinal))
        {
            return;
        }

        var order = Interlocked.Increment(ref arrived);
        if (order > 2)
        {
            return;
        }

        if (order == 2)
        {
            both.TrySetResult();
        }

        await both.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
