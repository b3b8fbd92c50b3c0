using System.Data.Common;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>Gift operations racing on one gift: the gift row is won once, so exactly one of them applies.</summary>
public abstract class GiftRaceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    [Fact]
    public async Task Redeem_TwentyConcurrentRedemptionsOfOneCode_OneSucceeds()
    {
        // Every redemption reads the gift as pending before any of them writes: only the conditional update decides.
        var setup = new GiftSetup(database, configureContext: o => o.AddInterceptors(new SlowGiftReads()));
        var (sender, created) = await setup.GiftAsync(100, 60);
        var recipients = Enumerable.Range(0, 20).Select(i => GiftSetup.NewUser($"r{i}")).ToList();

        var results = await Task.WhenAll(recipients.Select(r => Task.Run(() => setup.Gifts(g => g.RedeemGiftAsync(created.Code, r)))));

        var winner = Assert.Single(results, r => r.Success);
        Assert.All(results.Where(r => !r.Success), r => Assert.Equal(CreditGiftError.InvalidCode, r.Error));
        Assert.Equal((40L, 0L, 40L), await setup.AccountAsync(sender));
        var balances = new List<long>();
        foreach (var recipient in recipients)
        {
            var (balance, reserved, sum) = await setup.AccountAsync(recipient);
            Assert.Equal((balance, 0L), (sum, reserved));
            balances.Add(balance);
        }

        Assert.Equal(60, balances.Sum());
        Assert.Equal((60L, 0L, 60L), await setup.AccountAsync(winner.Gift!.RecipientId!));
    }

    [Fact]
    public async Task Redeem_RacingCancel_ExactlyOneWinsAndTheCreditsAreCountedOnce()
    {
        var setup = new GiftSetup(database);
        for (var round = 0; round < 10; round++)
        {
            var (sender, created) = await setup.GiftAsync(50, 50);
            var recipient = GiftSetup.NewUser("recipient");

            var redeem = Task.Run(() => setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient)));
            var cancel = Task.Run(() => setup.Gifts(g => g.CancelGiftAsync(created.Gift!.Id, sender)));
            var (redeemed, cancelled) = (await redeem, await cancel);

            Assert.True(redeemed.Success ^ cancelled.Success, $"round {round}: redeem {redeemed.Error}, cancel {cancelled.Error}");
            var (senderBalance, senderReserved, senderSum) = await setup.AccountAsync(sender);
            var (recipientBalance, _, recipientSum) = await setup.AccountAsync(recipient);
            Assert.Equal((redeemed.Success ? 0L : 50L, 0L, senderBalance), (senderBalance, senderReserved, senderSum));
            Assert.Equal((redeemed.Success ? 50L : 0L, recipientBalance), (recipientBalance, recipientSum));
        }
    }

    [Fact]
    public async Task Redeem_TwentyGiftsToOneNewRecipientAtOnce_NoStatementFailsOnTheRecipientsCreation()
    {
        // One sender, so every redemption locks the same two rows; the new recipient's id sorts first, so each locks the
        // recipient's row before the sender's. A row created after the locks was locked by later redemptions only: one
        // that found it holds it and waits for the sender's row, held by one that found no row and now writes the
        // recipient's: a deadlock on PostgreSQL (seen with the creation moved after the locks, 3 runs in 3).
        var failures = new FailedCommands();
        var setup = new GiftSetup(database, o => o.Gifts.RedeemAttemptsPerWindow = 100, configureContext: o => o.AddInterceptors(failures));
        for (var round = 0; round < 3; round++)
        {
            var sender = await setup.FundedAsync(200);
            var codes = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                codes.Add((await setup.Gifts(g => g.CreateGiftAsync(sender, 5))).Code!);
            }

            var recipient = GiftSetup.NewUser("0recipient");
            Assert.True(string.CompareOrdinal(recipient, sender) < 0);
            // Started a few milliseconds apart: some find no recipient's row, some find the one the first created.
            var results = await Task.WhenAll(codes.Select((code, i) => Task.Run(async () =>
            {
                await Task.Delay(2 * i);
                return await setup.Gifts(g => g.RedeemGiftAsync(code, recipient));
            })));

            Assert.All(results, r => Assert.True(r.Success, $"round {round}: refused: {r.Error}"));
            Assert.Empty(failures.Errors);
            Assert.Equal((100L, 0L, 100L), await setup.AccountAsync(recipient));
            Assert.Equal((100L, 0L, 100L), await setup.AccountAsync(sender));
        }
    }

    [Fact]
    public async Task Redeem_CodeReissuedBetweenTheReadAndTheClaim_RefusedAsInvalidCodeAndNothingMoves()
    {
        var reissue = new CodeReissuedBeforeTheClaim();
        var setup = new GiftSetup(database, configureContext: o => o.AddInterceptors(reissue));
        var (sender, created) = await setup.GiftAsync(100, 60);
        var recipient = GiftSetup.NewUser("recipient");
        reissue.Armed = true;

        var redeemed = await setup.Gifts(g => g.RedeemGiftAsync(created.Code, recipient));

        Assert.Equal((false, CreditGiftError.InvalidCode, false), (redeemed.Success, redeemed.Error, reissue.Armed));
        Assert.Equal((100L, 60L, 100L), await setup.AccountAsync(sender));
        Assert.Equal((0L, 0L, 0L), await setup.AccountAsync(recipient));
        Assert.Equal(CreditGiftStatus.Pending, (await setup.RowAsync(created.Gift!.Id)).Status);
    }

    [Fact]
    public async Task CreateGift_TwoCreatesWithOneKeyRacing_OneGiftIsHeld()
    {
        var setup = new GiftSetup(database);
        var sender = await setup.FundedAsync(100);

        var results = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => setup.Gifts(g => g.CreateGiftAsync(sender, 30, message: "once", idempotencyKey: "gift-key")))));

        Assert.All(results, r => Assert.True(r.Success, $"refused: {r.Error}"));
        Assert.Single(results.Select(r => r.Gift!.Id).Distinct());
        Assert.Single(results, r => !r.IsReplay);
        Assert.Equal((100L, 30L, 100L), await setup.AccountAsync(sender));
        Assert.Single((await setup.Gifts(g => g.GetGiftsAsync(sender))).Sent);
    }
}

/// <summary>Holds every read of a gift by its code for a moment, so racing redemptions all read it before one writes.</summary>
internal sealed class SlowGiftReads : DbCommandInterceptor
{
    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        if (command.CommandText.Contains("credit_gifts", StringComparison.Ordinal) && command.CommandText.Contains("code_hash", StringComparison.Ordinal)
            && command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            await Task.Delay(300, cancellationToken);
        }

        return result;
    }
}

/// <summary>
/// Once armed, gives the gift a new code just before a redemption claims it, on the redemption's own connection: what a
/// <see cref="ICreditGiftService.ReissueCodeAsync"/> committed between the redemption's read and its claim leaves.
/// </summary>
internal sealed class CodeReissuedBeforeTheClaim : DbCommandInterceptor
{
    public bool Armed { get; set; }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        var text = command.CommandText;
        var where = text.IndexOf("WHERE", StringComparison.Ordinal);
        if (Armed && text.TrimStart().StartsWith("UPDATE", StringComparison.Ordinal) && text.Contains("credit_gifts", StringComparison.Ordinal)
            && where > 0 && text.IndexOf("code_hash", where, StringComparison.Ordinal) > 0)
        {
            Armed = false;
            await using var reissue = command.Connection!.CreateCommand();
            reissue.Transaction = command.Transaction;
            reissue.CommandText = $"{text[..text.IndexOf("SET", StringComparison.Ordinal)]}SET code_hash = 'reissued{Guid.NewGuid():N}' {text[where..]}";
            foreach (DbParameter parameter in command.Parameters)
            {
                var copy = reissue.CreateParameter();
                (copy.ParameterName, copy.Value, copy.DbType) = (parameter.ParameterName, parameter.Value, parameter.DbType);
                reissue.Parameters.Add(copy);
            }

            Assert.Equal(1, await reissue.ExecuteNonQueryAsync(cancellationToken));
        }

        return result;
    }
}

public sealed class SqliteGiftRaceTests(SqliteCreditsDatabase database) : GiftRaceTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftRaceTests(PostgresCreditsDatabase database) : GiftRaceTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftRaceTests(MariaDbCreditsDatabase database) : GiftRaceTests<MariaDbCreditsDatabase>(database);
