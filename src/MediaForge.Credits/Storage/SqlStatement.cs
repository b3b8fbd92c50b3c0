using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MediaForge.Credits.Storage;

/// <summary>
/// One ledger statement, built once per model into an EF <see cref="IRelationalCommand"/> used as a template (each
/// execution populates the connection's rented command from it, as EF's own queries do): the SQL with provider
/// parameter placeholders and one parameter per value, bound by the model property's type mapping (value
/// converters included, so a SQLite GUID is stored as EF stores it). Executing it through
/// <see cref="RelationalCommandParameterObject"/> with the context's connection and command logger keeps EF's
/// logging, diagnostics and interceptors, and joins the context's current transaction, without building the command or
/// generating SQL again on every call.
/// </summary>
internal sealed class SqlStatement
{
    private readonly string[] names;

    private SqlStatement(string text, IReadOnlyList<IProperty> parameters, IRelationalCommandTemplate command, string[] names)
    {
        Text = text;
        Parameters = parameters;
        Command = command;
        this.names = names;
    }

    /// <summary>The SQL as the command runs it.</summary>
    public string Text { get; }

    /// <summary>The model property whose type mapping binds each value, in order.</summary>
    public IReadOnlyList<IProperty> Parameters { get; }

    /// <summary>The prepared EF command: a template, executed through a command rented from the context's connection.</summary>
    public IRelationalCommandTemplate Command { get; }

    /// <summary>Builds the command from a text with EF <c>{n}</c> placeholders.</summary>
    /// <param name="text">The SQL.</param>
    /// <param name="parameters">The model property of each placeholder.</param>
    /// <param name="helper">The provider's SQL generation.</param>
    /// <param name="factory">The provider's command builder.</param>
    /// <param name="mappings">Where not null, the mapping that binds the placeholder instead of its property's (an array of its values).</param>
    public static SqlStatement Create(string text, IReadOnlyList<IProperty> parameters, ISqlGenerationHelper helper, IRelationalCommandBuilderFactory factory,
        IReadOnlyList<RelationalTypeMapping?>? mappings = null)
    {
        var names = new string[parameters.Count];
        var builder = factory.Create();
        for (var i = 0; i < parameters.Count; i++)
        {
            // Stryker disable once String : equivalent: a name need only be unique in its command; SQLite, Npgsql and MySQL take a bare number (@0) too
            names[i] = "mf" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var mapping = mappings?[i];
            // Stryker disable once Logical,Equality : equivalent: the nullable flag only sets DbParameter.IsNullable, which none of the three providers reads when binding
            builder.AddParameter(names[i], helper.GenerateParameterName(names[i]), mapping ?? parameters[i].GetRelationalTypeMapping(), mapping is null && parameters[i].IsNullable);
        }

        var sql = System.Text.RegularExpressions.Regex.Replace(text, @"\{(\d+)\}",
            m => helper.GenerateParameterNamePlaceholder(names[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]));
        return new SqlStatement(sql, parameters, builder.Append(sql).Build(), names);
    }

    /// <summary>The parameter values of one execution, keyed as the command expects them.</summary>
    public Dictionary<string, object?> Values(object?[] values)
    {
        var bound = new Dictionary<string, object?>(values.Length, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            bound[names[i]] = values[i];
        }

        return bound;
    }
}
