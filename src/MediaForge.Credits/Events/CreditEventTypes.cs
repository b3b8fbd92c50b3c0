using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaForge.Credits.Events;

/// <summary>The events' names on the wire and their JSON form (the outbox's payload and the outbound webhooks' <c>data</c>).</summary>
internal static class CreditEventTypes
{
    /// <summary>camelCase, enums as names, the event's own properties (its type name is in the row and the envelope).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly Dictionary<string, Type> ByName = new(StringComparer.Ordinal)
    {
        [LowBalance.TypeName] = typeof(LowBalance),
        [Depleted.TypeName] = typeof(Depleted),
        [Granted.TypeName] = typeof(Granted),
        [PurchaseCompleted.TypeName] = typeof(PurchaseCompleted),
        [PurchaseRefunded.TypeName] = typeof(PurchaseRefunded),
        [SubscriptionRenewed.TypeName] = typeof(SubscriptionRenewed),
        [TopUpSucceeded.TypeName] = typeof(TopUpSucceeded),
        [TopUpFailed.TypeName] = typeof(TopUpFailed),
        [HoldExpired.TypeName] = typeof(HoldExpired),
    };

    /// <summary>Every event name this library raises or defines.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static string Serialize(CreditEvent creditEvent) => JsonSerializer.Serialize(creditEvent, creditEvent.GetType(), Json);

    /// <summary>The event of an outbox row, or <see langword="null"/> when its type is unknown to this version.</summary>
    public static CreditEvent? Deserialize(string type, string payload) =>
        ByName.TryGetValue(type, out var clrType) ? (CreditEvent?)JsonSerializer.Deserialize(payload, clrType, Json) : null;
}
