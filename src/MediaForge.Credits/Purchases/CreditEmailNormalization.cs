using System.Text.Json.Serialization;

namespace MediaForge.Credits;

/// <summary>
/// How an e-mail address is normalized before it is compared (hashed) for <see cref="CreditsOptions.OneFreePackagePerEmail"/>.
/// Every mode trims it and lower-cases it (invariant culture). The stricter modes treat more addresses as one person's;
/// they may also merge addresses of different people on servers that give <c>+</c> or dots another meaning.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CreditEmailNormalization>))]
public enum CreditEmailNormalization
{
    /// <summary>Trim and lower-case only (default): <c>Jane.Doe+x@Gmail.com</c> and <c>jane.doe@gmail.com</c> differ.</summary>
    TrimAndLowerCase = 0,

    /// <summary>Also drop a <c>+tag</c> from the local part on every domain: <c>jane+x@example.com</c> is <c>jane@example.com</c>.</summary>
    IgnoreSubaddress = 1,

    /// <summary>
    /// Also drop the dots of the local part for Gmail (<c>gmail.com</c>, <c>googlemail.com</c>, which is read as
    /// <c>gmail.com</c>): <c>j.a.n.e+x@googlemail.com</c> is <c>jane@gmail.com</c>.
    /// </summary>
    IgnoreSubaddressAndGmailDots = 2,
}
