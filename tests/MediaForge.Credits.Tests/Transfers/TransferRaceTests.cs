using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Transfers;

/// <summary>Opposite transfers racing: both balance rows are locked in user id order, so none fails with a deadlock.</summary>
public abstract class TransferRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task TransferCredits_OppositeTransfersRacingFiftyTimes_NoneFailsAndTheSumIsUnchanged()
    {
        var failures = new FailedCommands();
        var services = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(failures));
        var (a, b) = ("race_a_" + Guid.NewGuid().ToString("N"), "race_b_" + Guid.NewGuid().ToString("N"));
        await database.WithCreditsAsync(c => c.AddCreditsAsync(a, 1000, CreditTransactionType.Purchase, "pack"));
        await database.WithCreditsAsync(c => c.AddCreditsAsync(b, 1000, CreditTransactionType.Purchase, "pack"));

        var transfers = Enumerable.Range(0, 50).SelectMany(i => new[]
        {
            Task.Run(() => database.WithCreditsAsync(c => c.TransferCreditsAsync(a, b, 3 + (i % 4), "a to b"), services)),
            Task.Run(() => database.WithCreditsAsync(c => c.TransferCreditsAsync(b, a, 2 + (i % 5), "b to a"), services)),
        });
        var results = await Task.WhenAll(transfers);

        Assert.All(results, r => Assert.True(r.Success, $"refused: {r.Error}"));
        Assert.Empty(failures.Errors); // not even a deadlock retried behind the scenes
        var (ledgerA, ledgerB) = (await database.ReadLedgerAsync(a), await database.ReadLedgerAsync(b));
        Assert.Equal(2000, ledgerA.Balance + ledgerB.Balance);
        Assert.Equal((ledgerA.Balance, ledgerB.Balance), (ledgerA.LedgerSum, ledgerB.LedgerSum));
        Assert.Equal((101, 101), (ledgerA.LedgerRows, ledgerB.LedgerRows));
    }

    [Fact]
    public async Task TransferCredits_TwentySendersToOneNewRecipientAtOnce_NoWriteFailsOnTheRecipientsCreation()
    {
        var failures = new FailedCommands();
        var services = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(failures));
        var senders = Enumerable.Range(0, 20).Select(i => $"race_s{i:D2}_" + Guid.NewGuid().ToString("N")).ToArray();
        foreach (var sender in senders)
        {
            await database.WithCreditsAsync(c => c.AddCreditsAsync(sender, 10, CreditTransactionType.Purchase, "pack"));
        }

        // "race_0..." sorts before every sender: each transfer locks the recipient's row first.
        var recipient = "race_0_" + Guid.NewGuid().ToString("N");
        var results = await Task.WhenAll(senders.Select(s => Task.Run(() => database.WithCreditsAsync(c => c.TransferCreditsAsync(s, recipient, 4, "welcome"), services))));

        Assert.All(results, r => Assert.True(r.Success, $"refused: {r.Error}"));
        Assert.Empty(failures.Errors); // the racing creations of the recipient's row wait, none fails and is retried
        Assert.Equal((80L, 80L, 20), await database.ReadLedgerAsync(recipient));
    }
}

public sealed class SqliteTransferRaceTests(SqliteCreditsDatabase database) : TransferRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTransferRaceTests(PostgresCreditsDatabase database) : TransferRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTransferRaceTests(MariaDbCreditsDatabase database) : TransferRaceTests<MariaDbCreditsDatabase>(database);
