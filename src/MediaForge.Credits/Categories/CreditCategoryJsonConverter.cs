using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaForge.Credits.Categories;

/// <summary>A <see cref="CreditCategory"/> on the wire: its name, validated when read.</summary>
internal sealed class CreditCategoryJsonConverter : JsonConverter<CreditCategory>
{
    public override CreditCategory Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        CreditCategory.TryFrom(reader.GetString(), out var category) ? category : throw new JsonException("Not a credit category name.");

    public override void Write(Utf8JsonWriter writer, CreditCategory value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
