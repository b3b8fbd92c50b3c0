using System.Data.Common;
using System.Globalization;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// The raw ADO.NET baselines of the new flows (one transaction each, the same balance and ledger writes as the library's
/// flow, none of its bookkeeping), and the SQL checks of every flow cell.
/// </summary>
internal static class RawFlows
{
    /// <summary>
    /// A transfer: lock both balance rows in id order, debit the sender if it can pay (conditional <c>UPDATE</c>, balance
    /// read back), credit the recipient (balance read back), the two ledger rows (out and in), commit.
    /// </summary>
    public static async Task<bool> TransferAsync(BenchStore store, string from, string to, long amount)
    {
        await using var connection = await store.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var moved = await MoveAsync(store, connection, transaction, from, to, amount, "balance - reserved >= @amount", "",
            "TransferOut", "TransferIn", "benchmark transfer");
        if (moved)
        {
            await transaction.CommitAsync();
        }

        return moved;
    }

    /// <summary>
    /// A gift redemption: the gift row from pending to redeemed (conditional <c>UPDATE</c>: exactly one redemption wins
    /// it), then as a transfer from the sender, whose hold of the amount is released in the same debit, commit.
    /// </summary>
    public static async Task<bool> RedeemGiftAsync(BenchStore store, Guid giftId, string recipient, object pending, object redeemed)
    {
        await using var connection = await store.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        string sender;
        long amount;
        await using (var read = Command(connection, transaction, "SELECT sender_id, amount FROM credit_gifts WHERE id = @id"))
        {
            BenchStore.Add(read, "id", store.GuidValue(giftId));
            await using var reader = await read.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return false;
            }

            (sender, amount) = (reader.GetString(0), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
        }

        var now = DateTime.UtcNow;
        await using (var win = Command(connection, transaction, "UPDATE credit_gifts SET status = @redeemed, recipient_id = @to, redeemed_amount = amount,"
                         + " settled_at = @now, updated_at = @now WHERE id = @id AND status = @pending"))
        {
            BenchStore.Add(win, "redeemed", redeemed);
            BenchStore.Add(win, "pending", pending);
            BenchStore.Add(win, "to", recipient);
            BenchStore.Add(win, "now", now);
            BenchStore.Add(win, "id", store.GuidValue(giftId));
            if (await win.ExecuteNonQueryAsync() != 1)
            {
                return false;
            }
        }

        if (!await MoveAsync(store, connection, transaction, sender, recipient, amount, "reserved >= @amount", ", reserved = reserved - @amount",
                "TransferOut", "TransferIn", "Gift"))
        {
            throw new InvalidOperationException($"Gift {giftId}: the sender's hold did not cover it");
        }

        await transaction.CommitAsync();
        return true;
    }

    private static async Task<bool> MoveAsync(BenchStore store, DbConnection connection, DbTransaction transaction, string from, string to, long amount,
        string condition, string release, string outType, string inType, string reason)
    {
        if (store.LockRowsSql("@from, @to") is { } lockSql)
        {
            await using var lockBoth = Command(connection, transaction, lockSql);
            BenchStore.Add(lockBoth, "from", from);
            BenchStore.Add(lockBoth, "to", to);
            await using var reader = await lockBoth.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        }

        var now = DateTime.UtcNow;
        async Task<long?> UpdateAsync(string set, string where, string user)
        {
            await using var update = Command(connection, transaction, store.UpdateReturning(set, where, "balance", user));
            BenchStore.Add(update, "amount", amount);
            BenchStore.Add(update, "now", now);
            BenchStore.Add(update, user[1..], user == "@from" ? from : to);
            var balance = await update.ExecuteScalarAsync();
            return balance is null or DBNull ? null : Convert.ToInt64(balance, CultureInfo.InvariantCulture);
        }

        if (await UpdateAsync($"balance = balance - @amount{release}, updated_at = @now", $"user_id = @from AND {condition}", "@from") is not { } senderBalance)
        {
            return false;
        }

        var recipientBalance = await UpdateAsync("balance = balance + @amount, updated_at = @now", "user_id = @to", "@to")
            ?? throw new InvalidOperationException($"No balance row for {to}");
        var (outId, inId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using var rows = Command(connection, transaction,
            "INSERT INTO credit_transactions (id, user_id, amount, balance_after, type, description, reference, created_at) VALUES"
            + " (@out, @from, @debit, @fromAfter, @outType, @reason, @inRef, @now), (@in, @to, @amount, @toAfter, @inType, @reason, @outRef, @now)");
        BenchStore.Add(rows, "out", store.GuidValue(outId));
        BenchStore.Add(rows, "in", store.GuidValue(inId));
        BenchStore.Add(rows, "from", from);
        BenchStore.Add(rows, "to", to);
        BenchStore.Add(rows, "debit", -amount);
        BenchStore.Add(rows, "amount", amount);
        BenchStore.Add(rows, "fromAfter", senderBalance);
        BenchStore.Add(rows, "toAfter", recipientBalance);
        BenchStore.Add(rows, "outType", outType);
        BenchStore.Add(rows, "inType", inType);
        BenchStore.Add(rows, "reason", reason);
        BenchStore.Add(rows, "inRef", inId.ToString());
        BenchStore.Add(rows, "outRef", outId.ToString());
        BenchStore.Add(rows, "now", now);
        await rows.ExecuteNonQueryAsync();
        return true;
    }

    /// <summary>One number from a query with the user prefix as <c>@p</c> (a <c>LIKE</c> pattern is made of it).</summary>
    public static async Task<long> ScalarAsync(BenchStore store, string sql, string prefix, params (string Name, object Value)[] parameters)
    {
        await using var connection = await store.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        BenchStore.Add(command, "p", prefix + "%");
        foreach (var (name, value) in parameters)
        {
            BenchStore.Add(command, name, value);
        }

        return await command.ExecuteScalarAsync() is { } result and not DBNull ? Convert.ToInt64(result, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Σ balances of the users with the prefix (credits are neither created nor destroyed by a transfer).</summary>
    public static Task<long> BalancesAsync(BenchStore store, string prefix) =>
        ScalarAsync(store, "SELECT COALESCE(SUM(balance), 0) FROM credits WHERE user_id LIKE @p", prefix);

    /// <summary>Ledger rows of a type of the users with the prefix.</summary>
    public static Task<long> LedgerRowsAsync(BenchStore store, string prefix, string type) =>
        ScalarAsync(store, "SELECT COUNT(*) FROM credit_transactions WHERE user_id LIKE @p AND type = @type", prefix, ("type", type));

    /// <summary>Users of the prefix with a negative balance or a negative available balance.</summary>
    public static Task<long> OverdrawnAsync(BenchStore store, string prefix) =>
        ScalarAsync(store, "SELECT COUNT(*) FROM credits WHERE user_id LIKE @p AND (balance < 0 OR balance - reserved < 0)", prefix);

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
