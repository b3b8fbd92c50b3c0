using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>The kind of a credit movement in the ledger.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditTransactionType>))]
public enum CreditTransactionType
{
    /// <summary>Credits bought (a paid credit pack).</summary>
    Purchase = 0,

    /// <summary>Credits spent on an AI feature.</summary>
    Usage = 1,

    /// <summary>Free credits (sign-up bonus, promotions, free packs).</summary>
    Bonus = 2,

    /// <summary>Credits given back (a failed job) or removed by a payment refund.</summary>
    Refund = 3,

    /// <summary>A manual correction by an operator.</summary>
    Adjustment = 4,

    /// <summary>Unspent credits removed when they expired.</summary>
    Expiration = 5,
}
