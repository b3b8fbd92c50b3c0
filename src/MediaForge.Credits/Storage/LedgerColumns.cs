using System.Data.Common;
using Microsoft.EntityFrameworkCore.Metadata;

namespace MediaForge.Credits.Storage;

/// <summary>
/// Reads the columns that the ledger's own statements (<see cref="SqlStatement"/>) return, for
/// <see cref="RelationalCreditLedger"/>, <see cref="LedgerAccountReader"/> and <see cref="CreditHoldStatements"/>.
/// </summary>
internal static class LedgerColumns
{
    /// <summary>A nullable timestamp a statement reads back (the account's next expiry): <see langword="null"/> for NULL.</summary>
    public static DateTime? Timestamp(DbDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : row.GetFieldValue<DateTime>(ordinal);

    /// <summary>
    /// One column of the current row as the property's CLR type (<typeparamref name="T"/>'s default for NULL): read as the
    /// provider type of its mapping (the value converter's, if it has one, e.g. a status stored as text), then converted.
    /// </summary>
    public static T Read<T>(DbDataReader row, int ordinal, IProperty property)
    {
        if (row.IsDBNull(ordinal))
        {
            return default!;
        }

        var mapping = property.GetTypeMapping();
        var converter = mapping.Converter;
        var type = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? mapping.ClrType) ?? converter?.ProviderClrType ?? mapping.ClrType;
        object stored = type == typeof(string) ? row.GetString(ordinal)
            : type == typeof(long) ? row.GetInt64(ordinal)
            : type == typeof(bool) ? row.GetBoolean(ordinal)
            : type == typeof(Guid) ? row.GetFieldValue<Guid>(ordinal)
            : type == typeof(DateTime) ? row.GetDateTime(ordinal)
            : row.GetValue(ordinal);
        return (T)(converter is null ? stored : converter.ConvertFromProvider(stored))!;
    }
}
