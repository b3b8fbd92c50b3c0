namespace MediaForge.Credits.Ledger;

/// <summary>
/// The idempotency keys the library makes for itself (purchases, free packages, refunds, expiry, disputes, holds...).
/// They all start with <see cref="ReservedPrefix"/>, which a caller's key may not: a caller can never send a key that
/// collides with one of the library's, so a client cannot pre-empt a fulfilment or a clawback with its own key.
/// </summary>
internal static class CreditOperationKeys
{
    /// <summary>The prefix of every key the library makes; a caller's key that starts with it is refused.</summary>
    public const string ReservedPrefix = "mf:";

    /// <summary>The library's own key for one operation of <paramref name="kind"/> on <paramref name="id"/>.</summary>
    /// <param name="kind">The kind of operation, for example <c>purchase</c> or <c>refund</c>.</param>
    /// <param name="id">What it is unique for, for example a checkout session id.</param>
    public static string For(string kind, string id) => ReservedPrefix + kind + ":" + id;

    /// <summary>Whether <paramref name="key"/> is in the library's own namespace.</summary>
    public static bool IsReserved(string key) => key.StartsWith(ReservedPrefix, StringComparison.Ordinal);
}
