using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MediaForge.Credits.Readme;

/// <summary>
/// What the .NET SDK's <c>dotnet user-jwts create</c> sets up for a host in Development: the Bearer scheme's
/// configuration (issuer and audience into appsettings.Development.json, the signing key into user secrets) and tokens
/// shaped like the ones it prints.
/// </summary>
internal static class UserJwts
{
    /// <summary>The issuer the tool writes.</summary>
    public const string Issuer = "dotnet-user-jwts";

    /// <summary>The audience: the app's URL from launchSettings.json.</summary>
    public const string Audience = "http://localhost:5080";

    /// <summary>The <c>Authentication:Schemes:Bearer</c> section the tool writes, for a signing key.</summary>
    public static Dictionary<string, string?> Configuration(byte[] key) => new()
    {
        ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "test",
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(key),
        ["Authentication:Schemes:Bearer:SigningKeys:0:Length"] = key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A token like <c>dotnet user-jwts create --name {userId}</c>'s: <c>sub</c> and <c>unique_name</c>, HMAC-SHA256.</summary>
    public static string Token(byte[] key, string userId) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Claims = new Dictionary<string, object> { ["sub"] = userId, ["unique_name"] = userId },
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
    });
}
