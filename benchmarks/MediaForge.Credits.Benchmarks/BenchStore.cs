using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// One database under test: how EF and raw ADO.NET connect to it, the raw baseline deduction, bulk loads and the
/// audit. The tables are the library's own (created by <c>InitializeCreditsAsync</c>), so all approaches write the
/// same rows into the same schema.
/// </summary>
internal abstract partial class BenchStore : IAsyncDisposable
{
    public const string UsageDescription = "image-generation (default)";

    public abstract string Name { get; }

    /// <summary>The store named on the command line: sqlite, postgres, postgres-prepared (Max Auto Prepare=32) or mariadb.</summary>
    public static async Task<BenchStore> CreateAsync(string name, Settings settings) => name switch
    {
        "sqlite" => new SqliteBenchStore(),
        "postgres" or "postgres-prepared" => await PostgresBenchStore.CreateAsync(
            settings.Postgres ?? throw new InvalidOperationException("--postgres (or MEDIAFORGE_BENCH_POSTGRES) is required for the PostgreSQL store."), name == "postgres-prepared"),
        "mariadb" => await MariaDbBenchStore.CreateAsync(
            settings.MariaDb ?? throw new InvalidOperationException("--mariadb (or MEDIAFORGE_BENCH_MARIADB) is required for the MariaDB store.")),
        _ => throw new ArgumentException($"Unknown store '{name}' (sqlite, postgres, postgres-prepared, mariadb)."),
    };

    /// <summary>Whether "raw ADO.NET, the library's writes" runs here (its SQL is SQLite's and PostgreSQL's).</summary>
    public virtual bool HasLibraryWritesBaseline => true;

    /// <summary>Whether the history, reads, analytics and HTTP cells run here (their bulk SQL is SQLite's and PostgreSQL's).</summary>
    public virtual bool HasHistory => true;

    /// <summary>
    /// Locks the balance rows of <paramref name="users"/> (parameters) in user id order, so two transactions that move
    /// credits between the same two users in opposite directions never deadlock; null where a write transaction already
    /// holds the one write lock (SQLite's <c>BEGIN IMMEDIATE</c>).
    /// </summary>
    public virtual string? LockRowsSql(string users) => $"SELECT user_id FROM credits WHERE user_id IN ({users}) ORDER BY user_id FOR UPDATE";

    /// <summary>
    /// One conditional <c>UPDATE</c> of a <c>credits</c> row that answers <paramref name="returning"/> of the updated row
    /// (no row when the condition refused it): <c>UPDATE ... RETURNING</c>, or on MariaDB the update then a read-back
    /// under its lock. <paramref name="user"/> is the parameter naming the row.
    /// </summary>
    public virtual string UpdateReturning(string set, string where, string returning, string user = "@u") =>
        $"UPDATE credits SET {set} WHERE {where} RETURNING {returning}";

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
    public abstract object GuidValue(Guid id);

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
            update.CommandText = UpdateReturning("balance = balance - @cost", "user_id = @u AND balance >= @cost", "balance");
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

    /// <summary>Credits still reserved (held) by the users whose id starts with <paramref name="prefix"/>.</summary>
    public async Task<long> ReservedAsync(string prefix)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(reserved), 0) FROM credits WHERE user_id LIKE @p";
        Add(command, "p", prefix + "%");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
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

    internal static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
