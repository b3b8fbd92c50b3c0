namespace MediaForge.Credits;

/// <summary>The next credits to expire.</summary>
/// <param name="Amount">Credits that expire then, unless spent first.</param>
/// <param name="ExpiresAt">When.</param>
public sealed record CreditExpiration(long Amount, DateTimeOffset ExpiresAt);
