using System.Collections.Concurrent;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.TopUps;
using Microsoft.Extensions.DependencyInjection;
using static MediaForge.Credits.Tests.TopUps.TopUpScenario;

namespace MediaForge.Credits.Tests.TopUps;

/// <summary>
/// The worker claims top-ups while deductions are writing new ones (as <c>StripeTopUpWorker</c> does, outside any
/// transaction of the host): a claim that meets the deductions' locks (a deadlock's victim, a lock wait timeout) is
/// run again, never thrown at the worker, and every top-up goes to exactly one claim.
/// </summary>
public abstract class TopUpClaimRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const int Wallets = 64, Deductors = 16, CrossingsPerWallet = 3;

    [Fact]
    public async Task Claim_WhileDeductionsCrossThresholds_NeverFailsAndEveryTopUpGoesToOneClaim()
    {
        await using var services = Build(database);
        var wallets = new List<string>();
        for (var i = 0; i < Wallets; i++)
        {
            wallets.Add(NewWallet());
            await EnableAsync(services, wallets[^1], Threshold - 2, maxPerMonth: CrossingsPerWallet);
        }

        var claimed = new ConcurrentBag<Guid>();
        var deducting = Task.WhenAll(Enumerable.Range(0, Deductors).Select(d => Task.Run(async () =>
        {
            // Each deductor has wallets of its own: back to Threshold + 1 by a grant, then a deduction of 3 that crosses.
            for (var round = 0; round < CrossingsPerWallet; round++)
            {
                foreach (var wallet in wallets.Where((_, i) => i % Deductors == d))
                {
                    await using var scope = services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ICreditService>().AddCreditsAsync(wallet, 3, CreditTransactionType.Bonus, "back up");
                    Assert.True((await DeductAsync(services, wallet)).Success);
                }
            }
        })));
        async Task ClaimUntilDoneAsync()
        {
            bool last;
            do
            {
                last = deducting.IsCompleted;
                await using var scope = services.CreateAsyncScope();
                foreach (var topUp in await scope.ServiceProvider.GetRequiredService<CreditTopUpCharges>().ClaimAsync(Guid.NewGuid(), 5, default))
                {
                    claimed.Add(topUp.Id);
                }
            }
            while (!last);
        }

        await Task.WhenAll(deducting, Task.Run(ClaimUntilDoneAsync), Task.Run(ClaimUntilDoneAsync));
        await using (var scope = services.CreateAsyncScope())
        {
            foreach (var topUp in await scope.ServiceProvider.GetRequiredService<CreditTopUpCharges>().ClaimAsync(Guid.NewGuid(), Wallets * CrossingsPerWallet, default))
            {
                claimed.Add(topUp.Id);
            }
        }

        var written = new List<Guid>();
        foreach (var wallet in wallets)
        {
            written.AddRange((await TopUpsAsync(services, wallet)).Select(t => t.Id));
        }

        Assert.Equal(Wallets * CrossingsPerWallet, written.Count);
        Assert.Equal(written.Order(), claimed.Order());
    }
}

public sealed class SqliteTopUpClaimRaceTests(SqliteCreditsDatabase database) : TopUpClaimRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTopUpClaimRaceTests(PostgresCreditsDatabase database) : TopUpClaimRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTopUpClaimRaceTests(MariaDbCreditsDatabase database) : TopUpClaimRaceTests<MariaDbCreditsDatabase>(database);
