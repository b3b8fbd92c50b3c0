using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>Why a transfer of credits did not take place (<see cref="ICreditService.TransferCreditsAsync"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditTransferError>))]
public enum CreditTransferError
{
    /// <summary>The transfer took place.</summary>
    None = 0,

    /// <summary>
    /// The sender's spendable credits (balance less held and lapsed credits) do not cover the amount; nothing was
    /// written. Unlimited (admin) senders too: a transfer moves real credits only.
    /// </summary>
    InsufficientCredits = 1,

    /// <summary>Transfers are turned off (<see cref="CreditTransferOptions.Enabled"/>); nothing was written.</summary>
    TransfersDisabled = 2,

    /// <summary>The amount is over <see cref="CreditTransferOptions.MaxTransferAmount"/>; nothing was written.</summary>
    OverMaximum = 3,

    /// <summary>The sender and the recipient are the same user; nothing was written.</summary>
    SameUser = 4,

    /// <summary>The sender already used the idempotency key for another request; nothing was written.</summary>
    IdempotencyKeyConflict = 5,
}
