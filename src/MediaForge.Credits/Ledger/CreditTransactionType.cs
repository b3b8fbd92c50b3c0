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

    /// <summary>
    /// Credits sent to another user (<see cref="ICreditService.TransferCreditsAsync"/>); the row's reference is the
    /// recipient's <see cref="TransferIn"/> row.
    /// </summary>
    TransferOut = 6,

    /// <summary>Credits received from another user; the row's reference is the sender's <see cref="TransferOut"/> row.</summary>
    TransferIn = 7,

    /// <summary>A subscription plan's allowance for a billing period (or the difference after an upgrade); it expires with the period.</summary>
    Subscription = 8,
}
