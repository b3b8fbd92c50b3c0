using System.Globalization;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// Serialises the creation and upgrade of the credit schema between instances on the MySQL family (decision 0045).
/// MariaDB commits each DDL statement on its own, so two instances creating the tables at once would each find the
/// other's tables half made; PostgreSQL and SQL Server roll a losing creator's DDL back and SQLite writes one at a
/// time, so they need no lock. The lock is a server-side named lock (<c>GET_LOCK</c>) per database, held by the
/// context's connection (kept open meanwhile) and released on dispose or when that session ends.
/// </summary>
internal sealed class CreditsSchemaLock : IAsyncDisposable
{
    /// <summary>How long an instance waits for another's creation or upgrade before giving up.</summary>
    internal static readonly TimeSpan Wait = TimeSpan.FromMinutes(5);

    // The lock's name: MariaDB names are server-wide and at most 64 characters, so the database name is hashed in.
    private const string Name = "CONCAT('mediaforge_credits_schema_', MD5(DATABASE()))";
    private readonly DbContext db;

    private CreditsSchemaLock(DbContext db) => this.db = db;

    /// <summary>
    /// Takes the lock on MySQL and returns it, or returns <see langword="null"/> on providers that need none.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another instance held the lock for longer than <see cref="Wait"/>.</exception>
    public static async Task<CreditsSchemaLock?> AcquireAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (!CreditLedgerSchema.IsMySqlProvider(db.Database.ProviderName))
        {
            return null;
        }

        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var seconds = ((int)Wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            var taken = await ScalarAsync(db, $"SELECT GET_LOCK({Name}, {seconds})", cancellationToken).ConfigureAwait(false);
            if (taken != 1)
            {
                throw new InvalidOperationException(
                    $"Another instance has been creating or upgrading the credit schema of this database for over {Wait.TotalMinutes} minutes " +
                    "(MySQL named lock mediaforge_credits_schema_...); start again once it is done.");
            }

            return new CreditsSchemaLock(db);
        }
        catch
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Releases the lock and gives the connection back.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ScalarAsync(db, $"SELECT RELEASE_LOCK({Name})", CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static async Task<long?> ScalarAsync(DbContext db, string sql, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = (int)Wait.TotalSeconds + 30;
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }
}
