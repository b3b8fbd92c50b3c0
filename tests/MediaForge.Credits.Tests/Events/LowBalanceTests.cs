using MediaForge.Credits.Events;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Events;

/// <summary>
/// <see cref="LowBalance"/> and <see cref="Depleted"/>: once per crossing of the threshold, armed again when a grant takes
/// the balance back to it, and one only when concurrent deductions cross together. image-generation/default costs 3.
/// </summary>
public abstract class LowBalanceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const long Threshold = 10;
    private ServiceProvider? services;

    private ServiceProvider Services => services ??= Outbox.Build(database, Threshold);

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => database.WithCreditsAsync(action, Services);

    private Task<CreditDeductionResult> DeductAsync(string user) => Credits(c => c.DeductCreditsAsync(user, "image-generation", "default"));

    private async Task<string> UserWithAsync(long credits)
    {
        var user = Outbox.NewUser();
        await Credits(c => c.AddCreditsAsync(user, credits, CreditTransactionType.Purchase, "pack"));
        return user;
    }

    [Fact]
    public async Task Deduct_AboveTheThreshold_RaisesNoLowBalance()
    {
        var user = await UserWithAsync(15);

        await DeductAsync(user); // 12

        Assert.Equal(0, await Outbox.CountAsync(Services, user, LowBalance.TypeName));
    }

    [Fact]
    public async Task Deduct_CrossingTheThreshold_RaisesOneLowBalanceWithTheBalanceAndThreshold()
    {
        var user = await UserWithAsync(12);

        await DeductAsync(user); // 9

        var alert = Assert.Single(await Outbox.EventsAsync<LowBalance>(Services, user));
        Assert.Equal((9L, Threshold, user), (alert.Balance, alert.Threshold, alert.WalletId));
    }

    [Fact]
    public async Task Deduct_AgainBelowTheThreshold_RaisesNoSecondLowBalance()
    {
        var user = await UserWithAsync(12);

        await DeductAsync(user); // 9: crossed
        await DeductAsync(user); // 6
        await DeductAsync(user); // 3

        Assert.Equal(1, await Outbox.CountAsync(Services, user, LowBalance.TypeName));
    }

    [Fact]
    public async Task Deduct_ExactlyToTheThreshold_IsNotLow()
    {
        var user = await UserWithAsync(13);

        await DeductAsync(user); // 10

        Assert.Equal(0, await Outbox.CountAsync(Services, user, LowBalance.TypeName));
    }

    [Fact]
    public async Task Grant_BackToTheThreshold_ArmsAgainSoTheNextCrossingRaisesAnother()
    {
        var user = await UserWithAsync(12);
        await DeductAsync(user); // 9: crossed

        await Credits(c => c.AddCreditsAsync(user, 1, CreditTransactionType.Bonus, "back to 10"));
        await DeductAsync(user); // 7: crossed again

        Assert.Equal(2, await Outbox.CountAsync(Services, user, LowBalance.TypeName));
    }

    [Fact]
    public async Task Deduct_CrossingAgainAfterARearm_MarksTheWalletAlertedAgain()
    {
        var user = await UserWithAsync(12);
        await DeductAsync(user); // 9: crossed (the alert state's row is made alerted)
        await Credits(c => c.AddCreditsAsync(user, 1, CreditTransactionType.Bonus, "back to 10"));

        await DeductAsync(user); // 7: crossed again (the row is marked alerted again)

        Assert.True(await AlertedAsync(user));
    }

    [Fact]
    public async Task Grant_StillBelowTheThreshold_DoesNotArmAgain()
    {
        var user = await UserWithAsync(12);
        await DeductAsync(user); // 9: crossed
        await DeductAsync(user); // 6

        await Credits(c => c.AddCreditsAsync(user, 3, CreditTransactionType.Bonus, "to 9, still low"));

        Assert.True(await AlertedAsync(user));
    }

    [Fact]
    public async Task Grant_BackToTheThreshold_ClearsTheAlertStateInTheDatabase()
    {
        var user = await UserWithAsync(12);
        await DeductAsync(user); // 9: crossed

        await Credits(c => c.AddCreditsAsync(user, 1, CreditTransactionType.Bonus, "back to 10"));

        Assert.False(await AlertedAsync(user));
    }

    [Fact]
    public async Task Deduct_CrossingWhileTheDatabaseSaysAlerted_RaisesNoLowBalance()
    {
        var user = await UserWithAsync(12);
        await database.WithContextAsync(async db =>
        {
            db.Add(new CreditAlertState { WalletId = user, LowBalanceAlerted = true, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });

        await DeductAsync(user); // 9: a crossing, but the wallet is disarmed

        Assert.Equal(0, await Outbox.CountAsync(Services, user, LowBalance.TypeName));
    }

    private async Task<bool> AlertedAsync(string user)
    {
        var alerted = false;
        await database.WithContextAsync(async db => alerted = await db.Set<CreditAlertState>().AnyAsync(s => s.WalletId == user && s.LowBalanceAlerted));
        return alerted;
    }

    [Fact]
    public async Task Deduct_ThresholdOff_RaisesNoLowBalance()
    {
        var off = Outbox.Build(database, threshold: 0);
        var user = Outbox.NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 12, CreditTransactionType.Purchase, "pack"), off);

        await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"), off);

        Assert.Equal(0, await Outbox.CountAsync(off, user, LowBalance.TypeName));
    }

    [Fact]
    public async Task Deduct_ToZero_RaisesDepletedOnce()
    {
        var user = await UserWithAsync(6);

        await DeductAsync(user); // 3
        await DeductAsync(user); // 0
        var refused = await DeductAsync(user);

        Assert.False(refused.Success);
        var depleted = Assert.Single(await Outbox.EventsAsync<Depleted>(Services, user));
        Assert.Equal(3, depleted.Amount);
    }

    [Fact]
    public async Task Deduct_NotToZero_RaisesNoDepleted()
    {
        var user = await UserWithAsync(7);

        await DeductAsync(user); // 4
        await DeductAsync(user); // 1

        Assert.Equal(0, await Outbox.CountAsync(Services, user, Depleted.TypeName));
    }

    [Fact]
    public async Task Deduct_TwentyConcurrentDeductionsCrossingTogether_OneLowBalanceAndOneDepleted()
    {
        var user = await UserWithAsync(30); // ten deductions of 3 empty it; twenty race

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => DeductAsync(user))));

        Assert.Equal(10, results.Count(r => r.Success));
        Assert.Equal(1, await Outbox.CountAsync(Services, user, LowBalance.TypeName));
        Assert.Equal(1, await Outbox.CountAsync(Services, user, Depleted.TypeName));
    }

    [Fact]
    public async Task Capture_CrossingTheThreshold_RaisesLowBalance()
    {
        var user = await UserWithAsync(12);
        await using var scope = Services.CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<ICreditReservationService>();
        var hold = await holds.ReserveCreditsAsync(user, "image-generation", "default");

        await holds.CaptureReservationAsync(hold.ReservationId!.Value);

        var alert = Assert.Single(await Outbox.EventsAsync<LowBalance>(Services, user));
        Assert.Equal(9, alert.Balance);
    }

    [Fact]
    public async Task Deduct_InTheHostsTransactionRolledBack_LeavesNoEvent()
    {
        var user = await UserWithAsync(12);
        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MediaForge.Credits.Storage.CreditsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var result = await scope.ServiceProvider.GetRequiredService<ICreditService>().DeductCreditsAsync(user, "image-generation", "default");
            Assert.True(result.Success);
            Assert.Equal(1, await db.Set<CreditEventRow>().CountAsync(e => e.WalletId == user && e.Type == LowBalance.TypeName));
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, await Outbox.CountAsync(Services, user, LowBalance.TypeName));
        Assert.Equal(12, (await database.ReadLedgerAsync(user, Services)).Balance);
    }
}

public sealed class SqliteLowBalanceTests(SqliteCreditsDatabase database) : LowBalanceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLowBalanceTests(PostgresCreditsDatabase database) : LowBalanceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbLowBalanceTests(MariaDbCreditsDatabase database) : LowBalanceTests<MariaDbCreditsDatabase>(database);
