using MediaForge.Credits.Events;
using MediaForge.Credits.Tests.Infrastructure;
using MediaForge.Credits.Tests.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Events;

/// <summary>
/// The edges of the low-balance lines: a threshold of 0 is off even across a debt (which only a clawback under
/// <see cref="CreditClawbackPolicy.AllowNegativeBalance"/> makes), and a grant arms the alert again only when it starts
/// below the threshold. The Pro pack is 200 credits; image-generation/default costs 3.
/// </summary>
public abstract class LowBalanceBoundaryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private const long Threshold = 10;
    private ServiceProvider? debtServices;
    private ServiceProvider? alertServices;

    /// <summary>Threshold off (the default), clawbacks leave a debt.</summary>
    private ServiceProvider DebtServices => debtServices ??= database.BuildServices(database.ConnectionString, o => o.ClawbackPolicy = CreditClawbackPolicy.AllowNegativeBalance);

    private ServiceProvider AlertServices => alertServices ??= Outbox.Build(database, Threshold);

    /// <summary>A user who bought the Pro pack, spent 3 and had the 200 refunded: balance -3.</summary>
    private async Task<string> UserInDebtAsync()
    {
        var (user, payment) = await database.BuyAsync();
        Assert.True((await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"), DebtServices)).Success);
        await database.WithPurchasesAsync(p => p.RecordRefundAsync(payment, 2999), DebtServices);
        Assert.Equal(-3, (await database.ReadLedgerAsync(user, DebtServices)).Balance);
        return user;
    }

    /// <summary>The wallet's alert state as an earlier alert left it: alerted.</summary>
    private Task AlertedBeforeAsync(string user) => database.WithContextAsync(async db =>
    {
        db.Add(new CreditAlertState { WalletId = user, LowBalanceAlerted = true, UpdatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    });

    private async Task<bool> AlertedAsync(string user)
    {
        var alerted = false;
        await database.WithContextAsync(async db => alerted = await db.Set<CreditAlertState>().AnyAsync(s => s.WalletId == user && s.LowBalanceAlerted));
        return alerted;
    }

    [Fact]
    public async Task Clawback_IntoADebtWithTheThresholdOff_RaisesNoLowBalance()
    {
        var user = await UserInDebtAsync(); // 197 → -3: below 0, which is no line when the threshold is off

        Assert.Equal(0, await Outbox.CountAsync(DebtServices, user, LowBalance.TypeName));
        Assert.False(await AlertedAsync(user));
    }

    [Fact]
    public async Task Grant_OutOfADebtWithTheThresholdOff_LeavesTheAlertStateAlone()
    {
        var user = await UserInDebtAsync();
        await AlertedBeforeAsync(user); // as an earlier threshold left it

        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "to 7"), DebtServices);

        Assert.True(await AlertedAsync(user));
    }

    [Fact]
    public async Task Grant_FromExactlyTheThreshold_DoesNotArmAgain()
    {
        var user = Outbox.NewUser();
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, Threshold, CreditTransactionType.Purchase, "pack"), AlertServices);
        await AlertedBeforeAsync(user);

        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 5, CreditTransactionType.Bonus, "10 → 15: not low before"), AlertServices);

        Assert.True(await AlertedAsync(user));
    }
}

public sealed class SqliteLowBalanceBoundaryTests(SqliteCreditsDatabase database) : LowBalanceBoundaryTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLowBalanceBoundaryTests(PostgresCreditsDatabase database) : LowBalanceBoundaryTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbLowBalanceBoundaryTests(MariaDbCreditsDatabase database) : LowBalanceBoundaryTests<MariaDbCreditsDatabase>(database);
