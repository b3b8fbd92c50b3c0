using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// A SQLite file in WAL mode (set by the library's set-up) with <c>synchronous=FULL</c> on every connection, EF's and
/// the raw ones alike (the pragma is per connection, so an interceptor sets it whenever EF opens one).
/// </summary>
internal sealed class SqliteBenchStore : BenchStore
{
    private const string Pragmas = "PRAGMA synchronous=FULL;";
    private readonly string folder = Directory.CreateTempSubdirectory("mediaforge-bench-").FullName;
    private readonly string connectionString;

    public SqliteBenchStore() =>
        connectionString = $"Data Source={Path.Combine(folder, "credits.db")};Pooling=True;Default Timeout=60";

    public override string Name => "SQLite";

    public override async Task<string> DescribeAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version() || ', journal_mode=' || (SELECT journal_mode FROM pragma_journal_mode) || ', synchronous=' || (SELECT synchronous FROM pragma_synchronous)";
        return "SQLite " + await command.ExecuteScalarAsync() + " (synchronous 2 = FULL), file on " + folder;
    }

    public override void UseProvider(DbContextOptionsBuilder options) =>
        options.UseSqlite(connectionString).AddInterceptors(SynchronousFull.Instance);

    public override void UseReadProvider(DbContextOptionsBuilder options) => options.UseSqlite(connectionString);

    public override async Task<DbConnection> OpenForReadsAsync()
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = Pragmas;
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }

    public override object GuidValue(Guid id) => id.ToString().ToUpperInvariant();

    public override int UsageHourShards => 1;

    // EF's SQLite DateTime text: "yyyy-MM-dd HH:mm:ss" plus a fraction only when there is one (never at an hour start).
    protected override object HourValue(DateTime hourStart) => hourStart.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public override async Task BulkInsertAsync(string table, string[] columns, IEnumerable<object?[]> rows)
    {
        await using var connection = (SqliteConnection)await OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        var parameters = columns.Select((_, i) => command.Parameters.Add(new SqliteParameter { ParameterName = "@p" + i })).ToArray();
        command.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                parameters[i].Value = row[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary><c>ANALYZE</c>, then a checkpoint that copies the WAL into the database file and empties it.</summary>
    protected override string[] SettleStatements => ["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"];

    public override string? LockRowsSql(string users) => null;

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private sealed class SynchronousFull : DbConnectionInterceptor
    {
        public static readonly SynchronousFull Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
