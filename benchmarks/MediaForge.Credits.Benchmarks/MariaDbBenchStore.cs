using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// A fresh <c>utf8mb4_bin</c> database on the given MariaDB server (benchmarks/run.sh starts a throwaway one through
/// scripts/mariadb-server.sh, with <c>innodb_flush_log_at_trx_commit=1</c>), through MySql.EntityFrameworkCore and its
/// MySql.Data driver (benchmark-only dependencies). Every approach connects with the plain connection string a host copies
/// from the README's Databases section: server, port, user, password, <c>SslMode=Disabled</c>, database.
/// </summary>
internal sealed class MariaDbBenchStore : BenchStore
{
    private readonly string serverConnectionString;
    private readonly string database = "mf_bench_" + Guid.NewGuid().ToString("N");
    private readonly string connectionString;

    private MariaDbBenchStore(string serverConnectionString)
    {
        var given = new MySqlConnectionStringBuilder(serverConnectionString);
        var plain = new MySqlConnectionStringBuilder
        {
            Server = given.Server,
            Port = given.Port,
            UserID = given.UserID,
            Password = given.Password,
            SslMode = MySqlSslMode.Disabled,
        };
        this.serverConnectionString = plain.ConnectionString;
        plain.Database = database;
        connectionString = plain.ConnectionString;
    }

    public override string Name => "MariaDB";

    public override bool HasLibraryWritesBaseline => false;

    public override bool HasHistory => false;

    public static async Task<MariaDbBenchStore> CreateAsync(string serverConnectionString)
    {
        var store = new MariaDbBenchStore(serverConnectionString);
        await using var connection = new MySqlConnection(store.serverConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"CREATE DATABASE `{store.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", connection);
        await command.ExecuteNonQueryAsync();
        return store;
    }

    public override async Task<string> DescribeAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT CONCAT(VERSION(), ', innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit, ', sync_binlog=', @@sync_binlog,"
            + " ', log_bin=', @@log_bin, ', isolation=', @@tx_isolation, ', innodb_buffer_pool_size=', @@innodb_buffer_pool_size DIV 1048576, ' MB')";
        return "MariaDB " + await command.ExecuteScalarAsync() + " (plain connection string: server, port, user, password, SslMode=Disabled)";
    }

    public override void UseProvider(DbContextOptionsBuilder options) => options.UseMySQL(connectionString);

    public override async Task<DbConnection> OpenAsync()
    {
        var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    // MySql.EntityFrameworkCore stores a Guid as char(36), its "D" text.
    public override object GuidValue(Guid id) => id.ToString();

    public override int UsageHourShards => 64;

    protected override object HourValue(DateTime hourStart) => hourStart;

    /// <summary>No <c>UPDATE ... RETURNING</c> on MariaDB: the update, then the row read back under its lock (as the library does).</summary>
    public override string UpdateReturning(string set, string where, string returning, string user = "@u") =>
        $"UPDATE credits SET {set} WHERE {where}; SELECT {returning} FROM credits WHERE user_id = {user} AND ROW_COUNT() > 0";

    /// <summary>Multi-row <c>INSERT</c>s of 500 rows in one transaction.</summary>
    public override async Task BulkInsertAsync(string table, string[] columns, IEnumerable<object?[]> rows)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var chunk in rows.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
            for (var r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ", (").AppendJoin(", ", columns.Select((_, c) => $"@p{r}_{c}")).Append(')');
                for (var c = 0; c < columns.Length; c++)
                {
                    Add(command, $"p{r}_{c}", chunk[r][c]);
                }
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    protected override string[] SettleStatements => ["ANALYZE TABLE users, credits, credit_transactions, usage_logs"];

    public override async ValueTask DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        await using var connection = new MySqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"DROP DATABASE IF EXISTS `{database}`", connection);
        await command.ExecuteNonQueryAsync();
    }
}
