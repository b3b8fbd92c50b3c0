namespace MediaForge.Credits.Benchmarks;

/// <summary>The bulk-loaded history of the read and analytics cells, and the raw recomputation of the analytics.</summary>
internal abstract partial class BenchStore
{
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
        // The raw team-wallet baseline's wallets (TeamWalletCells: mf:team:bench_traw, and its probe's bench_trawp) too.
        command.CommandText = "DELETE FROM usage_logs WHERE user_id LIKE 'raw.%' OR user_id LIKE 'naive.%' OR user_id LIKE 'mf:team:bench_traw%';"
            + " DELETE FROM credit_transactions WHERE type = 'Usage' AND (user_id LIKE 'raw.%' OR user_id LIKE 'naive.%' OR user_id LIKE 'mf:team:bench_traw%')";
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
}

/// <summary>Analytics figures recomputed from the base rows (see <see cref="BenchStore.RawAnalyticsAsync"/>).</summary>
internal sealed record RawAnalytics(long Uses, long Credits, long ActiveUsers, long UnlimitedUses, long TopTenCredits,
    long SplitConsumed, long SplitFree, long SplitUsers, long CheckoutsStarted, long Completed, long PaidRevenueCents);
