namespace MediaForge.Credits;

/// <summary>
/// Thrown when an idempotency key is reused by the same user for a different grant (another amount or type): the
/// original grant stands and nothing moves.
/// </summary>
public sealed class IdempotencyKeyConflictException : InvalidOperationException
{
    /// <summary>Creates the exception for a key.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="idempotencyKey">The reused key.</param>
    public IdempotencyKeyConflictException(string userId, string idempotencyKey)
        : base($"Idempotency key '{idempotencyKey}' of user '{userId}' was already used for a different operation.")
    {
        UserId = userId;
        IdempotencyKey = idempotencyKey;
    }

    /// <summary>The user id.</summary>
    public string UserId { get; }

    /// <summary>The reused key.</summary>
    public string IdempotencyKey { get; }

    /// <summary>A stable error code for callers and problem details.</summary>
    public string ErrorCode => "idempotency_key_conflict";
}
