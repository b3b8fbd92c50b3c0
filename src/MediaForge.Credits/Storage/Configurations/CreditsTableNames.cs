using System.Text;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MediaForge.Credits.Storage.Configurations;

/// <summary>Names tables (prefix, schema) and columns (snake_case) of the credit model.</summary>
internal sealed class CreditsTableNames(CreditsModelOptions options)
{
    public void Apply<T>(EntityTypeBuilder<T> builder, string table)
        where T : class
    {
        builder.ToTable(options.TablePrefix + table, options.Schema);
        foreach (var property in typeof(T).GetProperties())
        {
            builder.Property(property.Name).HasColumnName(ToSnakeCase(property.Name));
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
