using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MediaForge.Credits.Benchmarks;

/// <summary>A fresh database on the given server (benchmarks/run.sh starts a durable throwaway cluster).</summary>
internal sealed class PostgresBenchStore : BenchStore
{
    private readonly string serverConnectionString;
    private readonly string database = "mf_bench_" + Guid.NewGuid().ToString("N");
    private readonly string connectionString;
    private readonly NpgsqlDataSource dataSource;

    private PostgresBenchStore(string serverConnectionString, bool autoPrepare)
    {
        this.serverConnectionString = serverConnectionString;
        // The plain connection string a host copies from the README; the variant adds Npgsql's automatic preparation.
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database, MaxPoolSize = 100 };
        if (autoPrepare)
        {
            builder.MaxAutoPrepare = 32;
        }

        connectionString = builder.ConnectionString;
        dataSource = NpgsqlDataSource.Create(connectionString);
        Name = autoPrepare ? "PostgreSQL, Max Auto Prepare=32" : "PostgreSQL";
    }

    public override string Name { get; }

    public static async Task<PostgresBenchStore> CreateAsync(string serverConnectionString, bool autoPrepare = false)
    {
        var store = new PostgresBenchStore(serverConnectionString, autoPrepare);
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{store.database}\"", connection);
        await command.ExecuteNonQueryAsync();
        return store;
    }

    public override async Task<string> DescribeAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', full_page_writes=' || current_setting('full_page_writes')";
        return "PostgreSQL " + await command.ExecuteScalarAsync();
    }

    public override void UseProvider(DbContextOptionsBuilder options) => options.UseNpgsql(connectionString);

    public override async Task<DbConnection> OpenAsync() => await dataSource.OpenConnectionAsync();

    public override object GuidValue(Guid id) => id;

    public override int UsageHourShards => 64;

    protected override object HourValue(DateTime hourStart) => hourStart;

    public override async Task BulkInsertAsync(string table, string[] columns, IEnumerable<object?[]> rows)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            await importer.StartRowAsync();
            foreach (var value in row)
            {
                switch (value)
                {
                    case null: await importer.WriteNullAsync(); break;
                    case string s: await importer.WriteAsync(s); break;
                    case long l: await importer.WriteAsync(l); break;
                    case bool b: await importer.WriteAsync(b); break;
                    case Guid g: await importer.WriteAsync(g); break;
                    case DateTime d: await importer.WriteAsync(d); break;
                    default: throw new NotSupportedException(value.GetType().Name);
                }
            }
        }

        await importer.CompleteAsync();
    }

    /// <summary>
    /// <c>VACUUM ANALYZE</c> (statistics, and the visibility map set as autovacuum would soon after a bulk insert, so
    /// index-only scans read no heap), then <c>CHECKPOINT</c>: otherwise a checkpoint forced by the load's WAL runs
    /// during the next cells. (<c>CHECKPOINT</c> needs a superuser or <c>pg_checkpoint</c>, as benchmarks/run.sh's
    /// cluster has.)
    /// </summary>
    protected override string[] SettleStatements => ["VACUUM ANALYZE", "CHECKPOINT"];

    /// <summary>
    /// Idle backends report what they wrote to the statistics only after a while (or when they exit): closed first, so
    /// the rows the load wrote are counted before ANALYZE, and autovacuum does not analyze the tables again in the
    /// middle of the next cells (seen: during the analytics queries, on both cores).
    /// </summary>
    protected override async Task CloseIdleConnectionsAsync()
    {
        dataSource.Clear();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @database", connection);
        command.Parameters.AddWithValue("database", database);
        for (var wait = 0; wait < 100 && (long)(await command.ExecuteScalarAsync())! > 0; wait++)
        {
            await Task.Delay(50);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
