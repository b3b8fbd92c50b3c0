using System.Data.Common;

namespace MediaForge.Credits.Tests.Infrastructure;

/// <summary>What the tests' interceptors read off an intercepted command.</summary>
internal static class InterceptedCommand
{
    /// <summary>
    /// The command text without identifier quotes: SQLite delimits every identifier, PostgreSQL only those that need it,
    /// MariaDB with backticks.
    /// </summary>
    public static string Text(DbCommand command) =>
        command.CommandText.Replace("\"", "", StringComparison.Ordinal).Replace("`", "", StringComparison.Ordinal);

    /// <summary>Whether one of the command's parameters has <paramref name="value"/>.</summary>
    public static bool Carries(DbCommand command, object value) => command.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, value));

    /// <summary>
    /// Whether one of the command's parameters has <paramref name="value"/> or is an array holding it (PostgreSQL binds
    /// a list the query tests membership in, <c>= ANY (@ids)</c>, as one array; the other databases one value each).
    /// </summary>
    public static bool CarriesAmong(DbCommand command, string value) =>
        command.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, value) || (p.Value is string[] values && values.Contains(value)));
}
