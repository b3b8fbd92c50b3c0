using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// A fresh MariaDB database on the server named by <c>MEDIAFORGE_TEST_MARIADB</c>, which <c>scripts/test.sh</c> sets
/// after starting a throwaway server (scripts/mariadb-server.sh). Without it the tests fail (never skip). The provider,
/// MySql.EntityFrameworkCore, is a test-only dependency (GPL-2.0 with the Universal FOSS Exception; decision 0042).
/// </summary>
public sealed class MariaDbCreditsDatabase : CreditsDatabase
{
    public const string EnvironmentVariable = "MEDIAFORGE_TEST_MARIADB";
    private readonly List<string> databases = [];

    public override string Name => "MariaDB";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "MariaDB tests need a server: run them with scripts/test.sh (it installs mariadb-server when root and starts a " +
                $"throwaway server), or set {EnvironmentVariable} to a connection string (Server=...;Port=...;User=...;Password=...;" +
                "SslMode=Disabled) of a user that may create databases.");

    public override async Task<string> CreateDatabaseAsync()
    {
        var name = "mf_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new MySqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", connection);
            await command.ExecuteNonQueryAsync();
        }

        databases.Add(name);
        return new MySqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public override void UseProvider(DbContextOptionsBuilder options, string connectionString) => options.UseMySQL(connectionString);

    /// <summary>
    /// Row lock waits on the whole server right now (InnoDB's <c>Innodb_row_lock_current_waits</c>).
    /// <c>information_schema.INNODB_TRX</c> lists a session's wait only now and then (a locking read waiting for a
    /// row, seen once in 30 polls while the server's own count showed it in every poll during the wait; decision 0051). Server-wide, so
    /// another class's wait counts too: the tests reading it go on whether or not a wait was seen.
    /// </summary>
    public override async Task<int> LockWaitsAsync()
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(
            "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_ROW_LOCK_CURRENT_WAITS'", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override async Task DropDatabasesAsync()
    {
        MySqlConnection.ClearAllPools();
        await using var connection = new MySqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        foreach (var name in databases)
        {
            await using var command = new MySqlCommand($"DROP DATABASE IF EXISTS `{name}`", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
