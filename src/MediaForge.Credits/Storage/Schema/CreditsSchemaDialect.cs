using System.Globalization;

namespace MediaForge.Credits.Storage.Schema;

/// <summary>
/// What the upgrade steps write differently on SQLite and PostgreSQL: identifiers, the hour of a timestamp, the stored
/// booleans, the current time and EF Core's index names (PostgreSQL cuts identifiers at 63 characters, EF marks the cut
/// with <c>~</c>).
/// </summary>
internal sealed class CreditsSchemaDialect
{
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    private const string PostgresProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private readonly CreditsModelOptions options;
    private readonly bool sqlite;

    private CreditsSchemaDialect(bool sqlite, CreditsModelOptions options)
    {
        this.sqlite = sqlite;
        this.options = options;
    }

    /// <summary>The database schema of the credit tables (none on SQLite, which has none).</summary>
    public string? Schema => sqlite ? null : options.Schema;

    /// <summary>The stored <see langword="false"/>.</summary>
    public string False => sqlite ? "0" : "false";

    /// <summary>The stored <see langword="true"/>.</summary>
    public string True => sqlite ? "1" : "true";

    /// <summary>The current UTC time as the provider stores a <see cref="DateTime"/>.</summary>
    public string Now => sqlite ? "strftime('%Y-%m-%d %H:%M:%S', 'now')" : "now()";

    public static CreditsSchemaDialect For(string? provider, CreditsModelOptions? options) => provider switch
    {
        SqliteProvider => new CreditsSchemaDialect(sqlite: true, options ?? new CreditsModelOptions()),
        PostgresProvider => new CreditsSchemaDialect(sqlite: false, options ?? new CreditsModelOptions()),
        _ => throw new NotSupportedException(
            $"The credit schema upgrade steps are written for SQLite and PostgreSQL; the migration's provider is '{provider}'."),
    };

    /// <summary>The table's name in the database (with the prefix).</summary>
    public string Name(string table) => options.TablePrefix + table;

    /// <summary>The table, delimited and qualified, for SQL text.</summary>
    public string Table(string table) => Schema is null ? Quote(Name(table)) : $"{Quote(Schema)}.{Quote(Name(table))}";

    /// <summary>The start of the UTC hour of a timestamp column, as the roll-up stores it.</summary>
    public string HourOf(string column) => sqlite
        ? $"substr({column}, 1, 13) || ':00:00'"
        : $"date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'";

    /// <summary>EF Core's default name of an index on the table's columns.</summary>
    public string IndexName(string table, params string[] columns) =>
        Truncate($"IX_{Name(table)}_{string.Join('_', columns)}");

    /// <summary>EF Core's default name of a foreign key of the table.</summary>
    public string ForeignKeyName(string table, string principal, string column) => Truncate($"FK_{Name(table)}_{Name(principal)}_{column}");

    /// <summary>EF Core's default name of the table's primary key.</summary>
    public string PrimaryKeyName(string table) => Truncate($"PK_{Name(table)}");

    /// <summary>The row that records <paramref name="version"/> (kept if it is there already).</summary>
    public string RecordVersion(int version) => string.Create(CultureInfo.InvariantCulture,
        $"INSERT INTO {Table(CreditsSchema.VersionTable)} (version, applied_at) VALUES ({version}, {Now}) ON CONFLICT (version) DO NOTHING;");

    private static string Quote(string identifier) => '"' + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + '"';

    private string Truncate(string name) => sqlite || name.Length <= 63 ? name : name[..62] + "~";
}
