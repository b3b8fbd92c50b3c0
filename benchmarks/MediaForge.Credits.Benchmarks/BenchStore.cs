using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// One database under test: how EF and raw ADO.NET connect to it, the raw baseline deduction, bulk loads and the
/// audit. The tables are the library's own (created by <c>InitializeCreditsAsync</c>), so all approaches write the
/// same rows into the same schema.
/// </summary>
internal abstract class BenchStore : IAsyncDisposable
{
    public const string UsageDescription = "image-generation (default)";

    public abstract string Name { get; }

    /// <summary>Connection settings worth printing (journal mode, synchronous, fsync...).</summary>
    public abstract Task<string> DescribeAsync();

    public abstract void UseProvider(DbContextOptionsBuilder options);

    /// <summary>An open raw connection with the same per-connection settings EF gets.</summary>
    public abstract Task<DbConnection> OpenAsync();

    /// <summary>
    /// The provider for a host that only reads (the HTTP cell): as <see cref="UseProvider"/> but without per-connection
    /// settings that only matter to writes (SQLite's <c>synchronous=FULL</c>), as a host set up by the README has none.
    /// </summary>
    public virtual void UseReadProvider(DbContextOptionsBuilder options) => UseProvider(options);

    /// <summary>An open raw connection for reads: <see cref="OpenAsync"/> without settings that only matter to writes.</summary>
    public virtual Task<DbConnection> OpenForReadsAsync() => OpenAsync();

    /// <summary>How a GUID is stored in this provider (EF stores TEXT on SQLite, uuid on PostgreSQL).</summary>
    protected abstract object GuidValue(Guid id);

    /// <summary>Shards of the hourly usage roll-up, as the library writes them on this provider.</summary>
    public abstract int UsageHourShards { get; }

    /// <summary>How an hour start of the roll-up is stored (EF's DateTime text on SQLite, timestamptz on PostgreSQL).</summary>
    protected abstract object HourValue(DateTime hourStart);

    /// <summary>Appends rows fast (prepared inserts in one transaction on SQLite, binary COPY on PostgreSQL).</summary>
    public abstract Task BulkInsertAsync(string table, string[] columns, IEnumerable<object?[]> rows);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// The raw baseline: one transaction (BEGIN IMMEDIATE on SQLite), the conditional UPDATE returning the balance,
    /// one ledger INSERT, one usage log INSERT (three statements, as the issue's baseline), commit.
    /// </summary>
    public async Task<bool> RawDeductAsync(string userId, long cost)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        long balance;
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = "UPDATE credits SET balance = balance - @cost WHERE user_id = @u AND balance >= @cost RETURNING balance";
            Add(update, "cost", cost);
            Add(update, "u", userId);
            var result = await update.ExecuteScalarAsync();
            if (result is null)
            {
                return false;
            }

            balance = Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
        }

        var now = DateTime.UtcNow;
        var transactionId = GuidValue(Guid.CreateVersion7());
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO credit_transactions (id, user_id, amount, balance_after, type, description, created_at)"
                + " VALUES (@id, @u, @amount, @after, 'Usage', @description, @now)";
            Add(insert, "id", transactionId);
            Add(insert, "u", userId);
            Add(insert, "amount", -cost);
            Add(insert, "after", balance);
            Add(insert, "description", UsageDescription);
            Add(insert, "now", now);
            await insert.ExecuteNonQueryAsync();
        }

        await using (var log = connection.CreateCommand())
        {
            log.Transaction = transaction;
            log.CommandText = "INSERT INTO usage_logs (id, user_id, feature, model, credits_used, price, is_unlimited, transaction_id, created_at)"
                + " VALUES (@id, @u, 'image-generation', 'default', @cost, @cost, @unlimited, @transaction, @now)";
            Add(log, "id", GuidValue(Guid.CreateVersion7()));
            Add(log, "u", userId);
            Add(log, "cost", cost);
            Add(log, "unlimited", false);
            Add(log, "transaction", transactionId);
            Add(log, "now", now);
            await log.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return true;
    }

    /// <summary>
    /// The raw baseline doing the library's writes: the same conditional UPDATE (totals, timestamp, admin check), then
    /// one batched command with the ledger row, the account's usage counters, the usage log with its running totals,
    /// the move of later-timed rows' totals and the hourly roll-up upsert. Separates EF's cost from the extra writes.
    /// </summary>
    public async Task<bool> RawDeductLikeLibraryAsync(string userId, long cost)
    {
        var now = DateTime.UtcNow;
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        long balance;
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = "UPDATE credits SET balance = balance - @cost, total_consumed = total_consumed + @cost, updated_at = @now"
                + " WHERE user_id = @u AND balance - reserved >= @cost AND NOT EXISTS (SELECT 1 FROM users WHERE id = @u AND is_admin = @admin) RETURNING balance";
            Add(update, "cost", cost);
            Add(update, "now", now);
            Add(update, "u", userId);
            Add(update, "admin", true);
            var result = await update.ExecuteScalarAsync();
            if (result is null)
            {
                return false;
            }

            balance = Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
        }

        await using (var insert = connection.CreateCommand())
        {
            var transactionId = Guid.CreateVersion7();
            var usageId = Guid.CreateVersion7();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO credit_transactions (id, user_id, amount, balance_after, type, description, metadata, idempotency_key, reference, created_at)"
                + " VALUES (@id, @u, @amount, @after, 'Usage', @description, NULL, NULL, @reference, @now);"
                + " UPDATE credits SET usage_count = usage_count + 1, usage_credits = usage_credits + @cost,"
                + " last_usage_at = CASE WHEN last_usage_at IS NULL OR last_usage_at < @now THEN @now ELSE last_usage_at END,"
                + " first_usage_at = CASE WHEN first_usage_at IS NULL OR first_usage_at > @now THEN @now ELSE first_usage_at END WHERE user_id = @u;"
                + " INSERT INTO usage_logs (id, user_id, feature, model, credits_used, price, is_unlimited, prompt, metadata, transaction_id, idempotency_key, created_at, cumulative_uses, cumulative_credits)"
                + " SELECT @usage, @u, 'image-generation', 'default', @cost, @cost, @unlimited, NULL, NULL, @id, NULL, @now,"
                + " (SELECT usage_count FROM credits WHERE user_id = @u) - (SELECT COUNT(*) FROM usage_logs WHERE user_id = @u AND created_at > @now AND cumulative_uses IS NOT NULL),"
                + " (SELECT usage_credits FROM credits WHERE user_id = @u) - (SELECT COALESCE(SUM(credits_used), 0) FROM usage_logs WHERE user_id = @u AND created_at > @now AND cumulative_uses IS NOT NULL);"
                + " UPDATE usage_logs SET cumulative_uses = cumulative_uses + 1, cumulative_credits = cumulative_credits + @cost"
                + " WHERE user_id = @u AND created_at > @now AND cumulative_uses IS NOT NULL;"
                + " INSERT INTO credit_usage_hours AS h (hour_start, feature, model, is_unlimited, shard, uses, credits, value)"
                + " VALUES (@hour, 'image-generation', 'default', @unlimited, @shard, 1, @cost, @cost) ON CONFLICT (hour_start, feature, model, is_unlimited, shard)"
                + " DO UPDATE SET uses = h.uses + excluded.uses, credits = h.credits + excluded.credits, value = h.value + excluded.value";
            Add(insert, "id", GuidValue(transactionId));
            Add(insert, "usage", GuidValue(usageId));
            Add(insert, "u", userId);
            Add(insert, "amount", -cost);
            Add(insert, "cost", cost);
            Add(insert, "after", balance);
            Add(insert, "description", UsageDescription);
            Add(insert, "reference", usageId.ToString());
            Add(insert, "unlimited", false);
            Add(insert, "now", now);
            Add(insert, "hour", HourValue(new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc)));
            Add(insert, "shard", ShardOf(userId, UsageHourShards));
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return true;
    }

    /// <summary>Raw read of one balance row (the reference for the read latencies).</summary>
    public async Task<long> RawBalanceAsync(string userId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT balance - reserved FROM credits WHERE user_id = @u";
        Add(command, "u", userId);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Creates users with a balance and the grant row that proves it.</summary>
    public async Task SeedAccountsAsync(IReadOnlyList<string> userIds, long balance)
    {
        var now = DateTime.UtcNow;
        await BulkInsertAsync("users", ["id", "is_admin", "created_at", "updated_at"],
            userIds.Select(u => new object?[] { u, false, now, now }));
        await BulkInsertAsync("credits", ["user_id", "balance", "reserved", "total_granted", "total_consumed", "usage_count", "usage_credits", "created_at", "updated_at"],
            userIds.Select(u => new object?[] { u, balance, 0L, balance, 0L, 0L, 0L, now, now }));
        await BulkInsertAsync("credit_transactions", ["id", "user_id", "amount", "balance_after", "type", "description", "created_at"],
            userIds.Select(u => new object?[] { GuidValue(Guid.CreateVersion7()), u, balance, balance, "Purchase", "benchmark grant", now }));
    }

    /// <summary>
    /// Settles the database after a bulk load, so the load's after-effects (the database catching up on it on its own)
    /// do not land in the measurements that follow: refreshes the planner's statistics and writes the load out (see
    /// <see cref="SettleStatements"/>).
    /// </summary>
    public async Task SettleAsync()
    {
        await CloseIdleConnectionsAsync();
        await using var connection = await OpenAsync();
        foreach (var statement in SettleStatements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The statements of <see cref="SettleAsync"/>, in order.</summary>
    protected abstract string[] SettleStatements { get; }

    /// <summary>Closes pooled connections that are idle, where that matters to <see cref="SettleAsync"/>.</summary>
    protected virtual Task CloseIdleConnectionsAsync() => Task.CompletedTask;

    /// <summary>
    /// A realistic history for the read and analytics figures, loaded with raw SQL (prepared inserts / binary COPY), in
    /// chunks of 500 users: each user has <paramref name="rowsPerUser"/> ledger rows spread over
    /// <paramref name="days"/> days up to now: the 50-credit starter bonus (and its free claim), a Pro purchase every
    /// 33 rows (a completed purchase row), and usage charges of the seeded prices, each with its usage log. Every user
    /// also has one abandoned checkout (pending, failed or expired). Balances equal the ledger sums. The derived usage
    /// data is written as the library writes it: each usage log's running totals (the user's charged uses and credits
    /// so far, in time order), the accounts' usage counters, and the hourly roll-up (<c>credit_usage_hours</c>, by
    /// hour, feature, model, unlimited flag and user shard), computed here in memory.
    /// </summary>
    /// <returns>The rows written per table.</returns>
    public async Task<(long Ledger, long Usage, long Purchases)> SeedHistoryAsync(IReadOnlyList<string> userIds, int rowsPerUser, int days)
    {
        (string Feature, string Model, long Price)[] uses =
            [("image-generation", "default", 3), ("image-generation", "default", 3), ("map-animation", "hailuo", 5), ("image-generation", "default", 3), ("video-generation", "hailuo", 8)];
        string[] abandoned = ["Pending", "Failed", "Expired"];
        var end = DateTime.UtcNow.AddMinutes(-1);
        var start = end.AddDays(-days);
        var step = (end - start).Ticks / rowsPerUser;
        long ledgerRows = 0, usageRows = 0, purchaseRows = 0;
        var hours = new Dictionary<(DateTime Hour, string Feature, string Model, int Shard), (long Uses, long Credits, long Value)>();
        for (var chunk = 0; chunk < userIds.Count; chunk += 500)
        {
            var users = userIds.Skip(chunk).Take(500).ToList();
            var accounts = new List<object?[]>();
            var ledger = new List<object?[]>();
            var usage = new List<object?[]>();
            var purchases = new List<object?[]>();
            for (var u = 0; u < users.Count; u++)
            {
                var user = users[u];
                long balance = 0, granted = 0, consumed = 0, usageCount = 0, usageCredits = 0;
                DateTime? lastUsage = null, firstUsage = null;
                var shard = ShardOf(user, UsageHourShards);
                for (var i = 0; i < rowsPerUser; i++)
                {
                    var at = start.AddTicks(step * i + (chunk + u) * 997L % step);
                    var id = Guid.CreateVersion7(at);
                    if (i == 0 || i % 33 == 1)
                    {
                        var free = i == 0;
                        var amount = free ? 50L : 200L;
                        balance += amount;
                        granted += amount;
                        var session = free ? null : $"cs_bench_{user}_{i}";
                        ledger.Add([GuidValue(id), user, amount, balance, free ? "Bonus" : "Purchase", free ? "Starter" : "Pro",
                            free ? "package:starter" : "purchase:" + session, free ? "starter" : session, at]);
                        purchases.Add([GuidValue(Guid.CreateVersion7(at)), user, free ? "starter" : "pro", amount, free ? 0L : 2999L, "usd", "Completed",
                            free ? "free" : "stripe", session, GuidValue(id), at, at, at, 0L, 0L, 0L, 0L, false]);
                        continue;
                    }

                    var use = uses[(i + u) % uses.Length];
                    var usageId = Guid.CreateVersion7(at);
                    balance -= use.Price;
                    consumed += use.Price;
                    usageCount++;
                    usageCredits += use.Price;
                    lastUsage = at;
                    firstUsage ??= at;
                    ledger.Add([GuidValue(id), user, -use.Price, balance, "Usage", $"{use.Feature} ({use.Model})", null, usageId.ToString(), at]);
                    usage.Add([GuidValue(usageId), user, use.Feature, use.Model, use.Price, use.Price, false, GuidValue(id), at, usageCount, usageCredits]);
                    var key = (new DateTime(at.Ticks - (at.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc), use.Feature, use.Model, shard);
                    var cell = hours.GetValueOrDefault(key);
                    hours[key] = (cell.Uses + 1, cell.Credits + use.Price, cell.Value + use.Price);
                }

                var checkoutAt = start.AddTicks(step * (rowsPerUser / 2) + u);
                purchases.Add([GuidValue(Guid.CreateVersion7(checkoutAt)), user, "pro", 200L, 2999L, "usd", abandoned[u % 3],
                    "stripe", $"cs_bench_{user}_open", null, checkoutAt, checkoutAt, null, 0L, 0L, 0L, 0L, false]);
                accounts.Add([user, balance, 0L, granted, consumed, usageCount, usageCredits, lastUsage, firstUsage, start, end]);
            }

            await BulkInsertAsync("users", ["id", "is_admin", "created_at", "updated_at"], users.Select(u => new object?[] { u, false, start, end }));
            await BulkInsertAsync("credits", ["user_id", "balance", "reserved", "total_granted", "total_consumed", "usage_count", "usage_credits", "last_usage_at", "first_usage_at", "created_at", "updated_at"], accounts);
            await BulkInsertAsync("credit_transactions", ["id", "user_id", "amount", "balance_after", "type", "description", "idempotency_key", "reference", "created_at"], ledger);
            await BulkInsertAsync("usage_logs", ["id", "user_id", "feature", "model", "credits_used", "price", "is_unlimited", "transaction_id", "created_at", "cumulative_uses", "cumulative_credits"], usage);
            await BulkInsertAsync("purchases", ["id", "user_id", "package_id", "credits", "amount_cents", "currency", "status", "provider", "provider_session_id",
                "transaction_id", "created_at", "updated_at", "completed_at", "refunded_amount_cents", "disputed_amount_cents", "credits_clawed_back", "clawback_shortfall", "is_gift"], purchases);
            ledgerRows += ledger.Count;
            usageRows += usage.Count;
            purchaseRows += purchases.Count;
        }

        // Uses the library may already have rolled up (none after --analytics-only; the deduction cells' come first)
        // are added to, never overwritten.
        await UpsertUsageHoursAsync(hours.Select(h => new object?[] { HourValue(h.Key.Hour), h.Key.Feature, h.Key.Model, false, (long)h.Key.Shard, h.Value.Uses, h.Value.Credits, h.Value.Value }));
        return (ledgerRows, usageRows, purchaseRows);
    }

    /// <summary>Adds roll-up rows (hour, feature, model, unlimited, shard, uses, credits, value) to the table, summing on conflict.</summary>
    private async Task UpsertUsageHoursAsync(IEnumerable<object?[]> rows)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO credit_usage_hours AS h (hour_start, feature, model, is_unlimited, shard, uses, credits, value)"
            + " VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7) ON CONFLICT (hour_start, feature, model, is_unlimited, shard)"
            + " DO UPDATE SET uses = h.uses + excluded.uses, credits = h.credits + excluded.credits, value = h.value + excluded.value";
        var parameters = Enumerable.Range(0, 8).Select(i =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                parameters[i].Value = i == 4 ? Convert.ToInt32(row[i], System.Globalization.CultureInfo.InvariantCulture) : row[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>
    /// Removes the usage rows written by the baselines that do not do the library's writes (raw ADO.NET and naive EF:
    /// usage ledger rows without usage logs), so the analytics figures run on rows the library could have written.
    /// Their audits are done by then.
    /// </summary>
    /// <returns>Rows removed.</returns>
    public async Task<int> RemoveBaselineUsageAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM usage_logs WHERE user_id LIKE 'raw.%' OR user_id LIKE 'naive.%';"
            + " DELETE FROM credit_transactions WHERE type = 'Usage' AND (user_id LIKE 'raw.%' OR user_id LIKE 'naive.%')";
        command.CommandTimeout = 600;
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Recomputes every analytics figure the harness measures straight from the base rows with plain SQL aggregates
    /// (the definitions the library's reports had before the roll-up and running totals), for the in-harness check.
    /// </summary>
    public async Task<RawAnalytics> RawAnalyticsAsync(DateTime from, DateTime to)
    {
        await using var connection = await OpenAsync();
        async Task<long[]> RowAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = 600;
            Add(command, "f", from);
            Add(command, "t", to);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? 0L : Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))];
        }

        var usage = await RowAsync("""
            SELECT SUM(CASE WHEN is_unlimited THEN 0 ELSE 1 END), SUM(CASE WHEN is_unlimited THEN 0 ELSE credits_used END),
                   COUNT(DISTINCT CASE WHEN is_unlimited THEN NULL ELSE user_id END), SUM(CASE WHEN is_unlimited THEN 1 ELSE 0 END)
            FROM usage_logs WHERE created_at >= @f AND created_at < @t
            """);
        var top = await RowAsync("""
            SELECT SUM(c) FROM (SELECT SUM(credits_used) AS c FROM usage_logs WHERE created_at >= @f AND created_at < @t AND NOT is_unlimited
                                GROUP BY user_id ORDER BY SUM(credits_used) DESC, COUNT(*) DESC, user_id LIMIT 10) x
            """);
        var split = await RowAsync("""
            SELECT SUM(during), SUM(CASE WHEN free - before < 0 THEN 0 WHEN free - before > during THEN during ELSE free - before END), COUNT(*)
            FROM (SELECT SUM(CASE WHEN type = 'Bonus' THEN amount ELSE 0 END) AS free,
                         SUM(CASE WHEN type = 'Usage' AND created_at < @f THEN -amount ELSE 0 END) AS before,
                         SUM(CASE WHEN type = 'Usage' AND created_at >= @f THEN -amount ELSE 0 END) AS during
                  FROM credit_transactions WHERE created_at < @t AND type IN ('Bonus', 'Usage') GROUP BY user_id) x
            WHERE during > 0
            """);
        var purchases = await RowAsync("""
            SELECT (SELECT COUNT(*) FROM purchases WHERE created_at >= @f AND created_at < @t AND provider <> 'free'),
                   (SELECT COUNT(*) FROM purchases WHERE status = 'Completed' AND completed_at >= @f AND completed_at < @t),
                   (SELECT COALESCE(SUM(amount_cents), 0) FROM purchases WHERE status = 'Completed' AND completed_at >= @f AND completed_at < @t AND provider <> 'free')
            """);
        return new RawAnalytics(usage[0], usage[1], usage[2], usage[3], top[0], split[0], split[1], split[2], purchases[0], purchases[1], purchases[2]);
    }

    /// <summary>FNV-1a (32 bit) over the UTF-16 code units, modulo the shard count: the library's user shard of the roll-up.</summary>
    private static int ShardOf(string userId, int shards)
    {
        var hash = 2166136261u;
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shards);
    }

    /// <summary>Balance against the ledger for every user whose id starts with <paramref name="prefix"/>.</summary>
    public async Task<Audit> AuditAsync(string prefix)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*),
                   COALESCE(SUM(CASE WHEN c.balance <> COALESCE(l.s, 0) THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(c.balance - COALESCE(l.s, 0)), 0),
                   COALESCE(SUM(CASE WHEN c.balance < 0 OR COALESCE(l.s, 0) < 0 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(l.n), 0)
            FROM credits c
            LEFT JOIN (SELECT user_id, SUM(amount) AS s, SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS n
                       FROM credit_transactions WHERE user_id LIKE @p GROUP BY user_id) l ON l.user_id = c.user_id
            WHERE c.user_id LIKE @p
            """;
        Add(command, "p", prefix + "%");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Audit(
            Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture));
    }

    protected static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

/// <param name="Users">Users checked.</param>
/// <param name="Mismatched">Users whose balance differs from the sum of their ledger.</param>
/// <param name="LostCredits">Σ (balance − Σ ledger): credits charged in the ledger but never taken from the balance.</param>
/// <param name="Negative">Users with a negative balance or a negative ledger sum (overdrafts).</param>
/// <param name="Charges">Usage rows in the ledger.</param>
internal sealed record Audit(long Users, long Mismatched, long LostCredits, long Negative, long Charges);

/// <summary>Analytics figures recomputed from the base rows (see <see cref="BenchStore.RawAnalyticsAsync"/>).</summary>
internal sealed record RawAnalytics(long Uses, long Credits, long ActiveUsers, long UnlimitedUses, long TopTenCredits,
    long SplitConsumed, long SplitFree, long SplitUsers, long CheckoutsStarted, long Completed, long PaidRevenueCents);
