namespace MediaForge.Credits.TopUps;

/// <summary>Where a top-up (a trigger) stands.</summary>
internal enum CreditTopUpStatus
{
    /// <summary>To be charged (its attempt is due at <c>next_attempt_at</c>).</summary>
    Pending,

    /// <summary>A payment intent was created; the credits come with its <c>payment_intent.succeeded</c>.</summary>
    Charging,

    /// <summary>Paid and granted.</summary>
    Succeeded,

    /// <summary>Given up: the wallet's auto top-up paused after too many failures in a row.</summary>
    Failed,
}
