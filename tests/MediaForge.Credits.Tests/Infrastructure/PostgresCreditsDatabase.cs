using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database on the server named by <c>MEDIAFORGE_TEST_POSTGRES</c>, which <c>scripts/test.sh</c>
/// sets after starting a throwaway cluster. Without it the tests fail (never skip).
/// </summary>
public sealed class PostgresCreditsDatabase : CreditsDatabase
{
    public const string EnvironmentVariable = "MEDIAFORGE_TEST_POSTGRES";
    private readonly List<string> databases = [];

    public override string Name => "PostgreSQL";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"PostgreSQL tests need a server: run them with scripts/test.sh (it starts a throwaway PostgreSQL 15 cluster), " +
                $"or set {EnvironmentVariable} to an Npgsql connection string of a user that may create databases.");

    public override async Task<string> CreateDatabaseAsync()
    {
        var name = "mf_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        databases.Add(name);
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public override void UseProvider(DbContextOptionsBuilder options, string connectionString) => options.UseNpgsql(connectionString);

    public override async Task<int> LockWaitsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    protected override async Task DropDatabasesAsync()
    {
        // Only this fixture's pools: clearing every pool dropped the idle connections of tests still running in other
        // classes (a test that reads what is prepared on its pooled connection then found a new, empty one). The drop's
        // FORCE ends any connection of these databases still open in another pool.
        foreach (var name in databases)
        {
            using var pooled = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString);
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        foreach (var name in databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
