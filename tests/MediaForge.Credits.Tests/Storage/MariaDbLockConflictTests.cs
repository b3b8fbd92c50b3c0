using System.Data.Common;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Tests.Infrastructure;
using MySql.Data.MySqlClient;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>
/// MariaDB's lock conflicts as the library's retries see them (<see cref="CreditAttempts.IsLockConflict"/>): a deadlock's
/// victim (1213) and a lock wait timeout (1205) are run again; any other error is not.
/// </summary>
public sealed class MariaDbLockConflictTests(MariaDbCreditsDatabase database) : IClassFixture<MariaDbCreditsDatabase>
{
    [Fact]
    public async Task IsLockConflict_DeadlockVictim_IsALockConflict()
    {
        await CreateRowsAsync("deadlock_rows");
        await using var first = await OpenAsync();
        await using var second = await OpenAsync();
        await using var one = await first.BeginTransactionAsync();
        await using var two = await second.BeginTransactionAsync();
        await ExecuteAsync(first, "UPDATE deadlock_rows SET v = v + 1 WHERE id = 1");
        await ExecuteAsync(second, "UPDATE deadlock_rows SET v = v + 1 WHERE id = 2");

        var waiting = ExecuteAsync(first, "UPDATE deadlock_rows SET v = v + 1 WHERE id = 2");
        await Task.Delay(200);
        var crossing = ExecuteAsync(second, "UPDATE deadlock_rows SET v = v + 1 WHERE id = 1");
        var failure = await CaughtAsync(waiting, crossing);

        Assert.Equal(1213, Assert.IsType<MySqlException>(failure).Number);
        Assert.True(CreditAttempts.IsLockConflict(failure));
    }

    [Fact]
    public async Task IsLockConflict_LockWaitTimeout_IsALockConflict()
    {
        await CreateRowsAsync("waited_rows");
        await using var holder = await OpenAsync();
        await using var waiter = await OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await ExecuteAsync(holder, "UPDATE waited_rows SET v = v + 1 WHERE id = 1");
        await ExecuteAsync(waiter, "SET SESSION innodb_lock_wait_timeout = 1");

        var failure = await Assert.ThrowsAsync<MySqlException>(() => ExecuteAsync(waiter, "UPDATE waited_rows SET v = v + 1 WHERE id = 1"));

        Assert.Equal(1205, failure.Number);
        Assert.True(CreditAttempts.IsLockConflict(failure));
    }

    [Fact]
    public async Task IsLockConflict_DuplicateKey_IsNot()
    {
        await CreateRowsAsync("duplicate_rows");
        await using var connection = await OpenAsync();

        var failure = await Assert.ThrowsAsync<MySqlException>(() => ExecuteAsync(connection, "INSERT INTO duplicate_rows (id, v) VALUES (1, 0)"));

        Assert.False(CreditAttempts.IsLockConflict(failure));
    }

    private static async Task<DbException> CaughtAsync(params Task[] statements)
    {
        foreach (var statement in statements)
        {
            try
            {
                await statement;
            }
            catch (DbException exception)
            {
                return exception;
            }
        }

        throw new InvalidOperationException("Neither statement was chosen as the deadlock's victim.");
    }

    private async Task CreateRowsAsync(string table)
    {
        await using var connection = await OpenAsync();
        await ExecuteAsync(connection, $"CREATE TABLE {table} (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
        await ExecuteAsync(connection, $"INSERT INTO {table} (id, v) VALUES (1, 0), (2, 0)");
    }

    private async Task<MySqlConnection> OpenAsync()
    {
        var connection = new MySqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
