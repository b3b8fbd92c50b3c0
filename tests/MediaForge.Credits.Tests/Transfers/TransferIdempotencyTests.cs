using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Transfers;

/// <summary>Transfers delivered twice, one after the other or at once, with a conflicting key, and with a lost commit acknowledgement.</summary>
public abstract class TransferIdempotencyTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private Task<T> Credits<T>(Func<ICreditService, Task<T>> action, IServiceProvider? services = null) => database.WithCreditsAsync(action, services);

    private async Task<(string Sender, string Recipient)> PairAsync(long credits)
    {
        var (sender, recipient) = (NewUser(), NewUser());
        await Credits(c => c.AddCreditsAsync(sender, credits, CreditTransactionType.Purchase, "pack"));
        return (sender, recipient);
    }

    [Fact]
    public async Task TransferCredits_SameKeySameRequestTwice_ReplaysTheFirstAndMovesOnce()
    {
        var (sender, recipient) = await PairAsync(20);
        var first = await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "gift", "transfer-1"));

        var second = await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "gift", "transfer-1"));

        Assert.Equal(first with { IsReplay = true }, second);
        Assert.Equal((12L, 12L, 2), await database.ReadLedgerAsync(sender));
        Assert.Equal((8L, 8L, 1), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_ReplayAfterAnotherTransferToTheRecipientAtTheSameInstant_AnswersTheFirstOutcome()
    {
        var services = database.BuildServices(database.ConnectionString, time: new FakeTimeProvider(new DateTimeOffset(2027, 2, 1, 9, 0, 0, TimeSpan.Zero)));
        var ((sender, recipient), (other, _)) = (await PairAsync(20), await PairAsync(20));
        var first = await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "gift", "transfer-1"), services);
        Assert.True((await Credits(c => c.TransferCreditsAsync(other, recipient, 5, "gift", "transfer-2"), services)).Success);

        var replay = await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "gift", "transfer-1"), services);

        Assert.Equal(first with { IsReplay = true }, replay);
    }

    [Fact]
    public async Task TransferCredits_SameKeyTwentyAtOnce_MovesOnce()
    {
        var (sender, recipient) = await PairAsync(100);

        var results = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => Credits(c => c.TransferCreditsAsync(sender, recipient, 7, "once", "transfer-race")))));

        Assert.All(results, r => Assert.True(r.Success));
        Assert.Single(results, r => !r.IsReplay);
        Assert.Single(results.Select(r => r.TransferOutId).Distinct());
        Assert.Equal((93L, 93L, 2), await database.ReadLedgerAsync(sender));
        Assert.Equal((7L, 7L, 1), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_SameKeyOtherAmount_ConflictAndNothingMoves()
    {
        var (sender, recipient) = await PairAsync(20);
        await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "gift", "transfer-1"));

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 9, "gift", "transfer-1"));

        Assert.Equal((false, CreditTransferError.IdempotencyKeyConflict), (result.Success, result.Error));
        Assert.Equal((12L, 12L, 2), await database.ReadLedgerAsync(sender));
    }

    [Fact]
    public async Task TransferCredits_SameKeyOtherRecipient_Conflict()
    {
        var (sender, recipient) = await PairAsync(20);
        await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "gift", "transfer-1"));

        var result = await Credits(c => c.TransferCreditsAsync(sender, NewUser(), 8, "gift", "transfer-1"));

        Assert.Equal(CreditTransferError.IdempotencyKeyConflict, result.Error);
    }

    [Fact]
    public async Task TransferCredits_SameKeyOtherReason_Conflict()
    {
        var (sender, recipient) = await PairAsync(20);
        await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "gift", "transfer-1"));

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 8, "another gift", "transfer-1"));

        Assert.Equal(CreditTransferError.IdempotencyKeyConflict, result.Error);
    }

    [Fact]
    public async Task TransferCredits_KeyOfTheSendersGrant_Conflict()
    {
        var (sender, recipient) = (NewUser(), NewUser());
        await Credits(c => c.AddCreditsAsync(sender, 20, CreditTransactionType.Purchase, "pack", idempotencyKey: "shared-key"));

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 5, "gift", "shared-key"));

        Assert.Equal(CreditTransferError.IdempotencyKeyConflict, result.Error);
        Assert.Equal((0L, 0L, 0), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_CommitAcknowledgementLost_SettledAsAppliedAndMovedOnce()
    {
        var fault = new CommitFault();
        var services = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(fault));
        var (sender, recipient) = await PairAsync(20);
        fault.Arm(CommitFaultKind.AcknowledgementLost);

        var result = await Credits(c => c.TransferCreditsAsync(sender, recipient, 6, "lost ack"), services);

        Assert.Equal(1, fault.Struck);
        Assert.Equal((true, false, 14L, 6L), (result.Success, result.IsReplay, result.SenderBalance, result.RecipientBalance));
        Assert.Equal((14L, 14L, 2), await database.ReadLedgerAsync(sender));
        Assert.Equal((6L, 6L, 1), await database.ReadLedgerAsync(recipient));
    }

    [Fact]
    public async Task TransferCredits_CommitNeverArrived_ThrowsAndMovesNothing()
    {
        var fault = new CommitFault();
        var services = database.BuildServices(database.ConnectionString, configureContext: o => o.AddInterceptors(fault));
        var (sender, recipient) = await PairAsync(20);
        fault.Arm(CommitFaultKind.CommitNeverArrived);

        await Assert.ThrowsAsync<SimulatedDbException>(() => Credits(c => c.TransferCreditsAsync(sender, recipient, 6, "never arrived"), services));

        Assert.Equal((20L, 20L, 1), await database.ReadLedgerAsync(sender));
        Assert.Equal((0L, 0L, 0), await database.ReadLedgerAsync(recipient));
    }
}

public sealed class SqliteTransferIdempotencyTests(SqliteCreditsDatabase database) : TransferIdempotencyTests<SqliteCreditsDatabase>(database);

public sealed class PostgresTransferIdempotencyTests(PostgresCreditsDatabase database) : TransferIdempotencyTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbTransferIdempotencyTests(MariaDbCreditsDatabase database) : TransferIdempotencyTests<MariaDbCreditsDatabase>(database);
