using MediaForge.Credits.Entities;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>
/// What the ledger's appends write, kind by kind of use (<c>CreditAppendSql</c>): an unlimited use has no running
/// totals and no ledger row, a charged one its running totals with or without its ledger row, and charged uses appended
/// together (one command on PostgreSQL and MariaDB) each their own rows and totals.
/// </summary>
public abstract class LedgerAppendTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static readonly DateTime At = new(2030, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task UnlimitedUse_IsLoggedWithoutRunningTotals_AndCountsNothing()
    {
        var user = NewUser();

        await AppendAsync(user, ledger => ledger.AppendAsync(null, Use(user, 0, At, unlimited: true), default));

        Assert.Equal([(0L, true, (Guid?)null, (long?)null, (long?)null)], await LogsAsync(user));
        Assert.Equal((0L, 0L), await CountersAsync(user));
    }

    [Fact]
    public async Task ChargedUseWithoutALedgerRow_IsLoggedWithItsRunningTotals()
    {
        var user = NewUser();

        await AppendAsync(user, ledger => ledger.AppendAsync(null, Use(user, 0, At), default));

        Assert.Equal([(0L, false, (Guid?)null, (long?)1, (long?)0)], await LogsAsync(user));
        Assert.Equal((1L, 0L), await CountersAsync(user));
    }

    [Fact]
    public async Task ChargedUseWithItsLedgerRow_WritesBoth_WithRunningTotals()
    {
        var user = NewUser();
        var charge = Charge(user, 5, At);

        await AppendAsync(user, ledger => ledger.AppendAsync(charge, Use(user, 5, At, charge.Id), default));

        Assert.Equal([(5L, false, (Guid?)charge.Id, (long?)1, (long?)5)], await LogsAsync(user));
        Assert.Equal([(charge.Id, -5L)], await LedgerRowsAsync(user));
        Assert.Equal((1L, 5L), await CountersAsync(user));
    }

    [Fact]
    public async Task UnlimitedUseWithALedgerRow_IsRefused_AndWritesNothing()
    {
        var user = NewUser();
        var charge = Charge(user, 5, At);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            AppendAsync(user, ledger => ledger.AppendAsync(charge, Use(user, 0, At, charge.Id, unlimited: true), default)));

        Assert.Empty(await LogsAsync(user));
        Assert.Empty(await LedgerRowsAsync(user));
    }

    [Fact]
    public async Task ChargedUsesAppendedTogether_EachGetsItsLedgerRowAndItsRunningTotals()
    {
        var user = NewUser();
        var charges = new[] { Charge(user, 3, At), Charge(user, 5, At.AddMinutes(1)), Charge(user, 2, At.AddMinutes(2)) };
        var uses = charges.Select(c => Use(user, -c.Amount, c.CreatedAt, c.Id)).ToArray();

        await AppendAsync(user, ledger => ledger.AppendUsesAsync(charges, uses, default));

        Assert.Equal(
            [(3L, false, (Guid?)charges[0].Id, (long?)1, (long?)3), (5L, false, charges[1].Id, 2, 8), (2L, false, charges[2].Id, 3, 10)],
            await LogsAsync(user));
        Assert.Equal(charges.Select(c => (c.Id, c.Amount)), await LedgerRowsAsync(user));
        Assert.Equal((3L, 10L), await CountersAsync(user));
    }

    [Fact]
    public async Task ChargedUsesAppendedTogether_TimedBeforeAnEarlierUse_MoveItsRunningTotalsUp()
    {
        var user = NewUser();
        var later = Charge(user, 7, At.AddHours(1));
        await AppendAsync(user, ledger => ledger.AppendAsync(later, Use(user, 7, later.CreatedAt, later.Id), default));
        var charges = new[] { Charge(user, 3, At), Charge(user, 5, At.AddMinutes(1)) };

        await AppendAsync(user, ledger => ledger.AppendUsesAsync(charges, [.. charges.Select(c => Use(user, -c.Amount, c.CreatedAt, c.Id))], default));

        Assert.Equal([(1L, 3L), (2L, 8L), (3L, 15L)], (await LogsAsync(user)).Select(l => (l.Uses!.Value, l.Credits!.Value)));
        Assert.Equal((3L, 15L), await CountersAsync(user));
    }

    private static string NewUser() => "append_" + Guid.NewGuid().ToString("N");

    private static CreditTransaction Charge(string user, long credits, DateTime at) => new()
    {
        Id = Guid.NewGuid(), UserId = user, Amount = -credits, BalanceAfter = 0, Type = CreditTransactionType.Usage,
        Description = "image-generation (default)", CreatedAt = at,
    };

    private static UsageLog Use(string user, long credits, DateTime at, Guid? transactionId = null, bool unlimited = false) => new()
    {
        Id = Guid.NewGuid(), UserId = user, Feature = "image-generation", Model = "default", Price = 3, CreditsUsed = credits,
        IsUnlimited = unlimited, TransactionId = transactionId, CreatedAt = at,
    };

    /// <summary>Runs <paramref name="append"/> on the user's balance row in a ledger transaction, committed if it returns.</summary>
    private Task AppendAsync(string user, Func<CreditLedger, Task> append) => database.WithContextAsync(async db =>
    {
        var ledger = CreditLedger.For(db);
        await using var transaction = await ledger.BeginAsync(default);
        await ledger.EnsureAccountAsync(user, At, default);
        await append(ledger);
        await transaction.CommitAsync(default);
    });

    private async Task<List<(long CreditsUsed, bool IsUnlimited, Guid? TransactionId, long? Uses, long? Credits)>> LogsAsync(string user) =>
        [.. (await database.WithContextAsync(db => db.Set<UsageLog>().AsNoTracking().Where(l => l.UserId == user).ToListAsync()))
            .OrderBy(l => l.CreatedAt).Select(l => (l.CreditsUsed, l.IsUnlimited, l.TransactionId, l.CumulativeUses, l.CumulativeCredits))];

    private async Task<List<(Guid Id, long Amount)>> LedgerRowsAsync(string user) =>
        [.. (await database.WithContextAsync(db => db.Set<CreditTransaction>().AsNoTracking().Where(t => t.UserId == user).ToListAsync()))
            .OrderBy(t => t.CreatedAt).Select(t => (t.Id, t.Amount))];

    private async Task<(long Uses, long Credits)> CountersAsync(string user)
    {
        var account = await database.WithContextAsync(db => db.Set<CreditAccount>().AsNoTracking().SingleAsync(a => a.UserId == user));
        return (account.UsageCount, account.UsageCredits);
    }
}

public sealed class SqliteLedgerAppendTests(SqliteCreditsDatabase database) : LedgerAppendTests<SqliteCreditsDatabase>(database);

public sealed class PostgresLedgerAppendTests(PostgresCreditsDatabase database) : LedgerAppendTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbLedgerAppendTests(MariaDbCreditsDatabase database) : LedgerAppendTests<MariaDbCreditsDatabase>(database);
