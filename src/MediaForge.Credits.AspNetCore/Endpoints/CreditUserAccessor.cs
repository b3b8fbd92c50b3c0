using System.Security.Claims;
using MediaForge.Credits.Ledger;

namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>
/// The endpoints' user id: <see cref="CreditsUserIdExtensions.GetCreditsUserId(ClaimsPrincipal, CreditsHttpOptions?)"/>
/// with the configured options, checked as the ledger checks a user id, so that a sign-in whose id the ledger refuses
/// (longer than <see cref="CreditLimits.MaxUserIdLength"/>, or in the library's reserved <c>mf:</c> space, where team
/// wallets live) is answered 400 <c>invalid_user_id</c> by every endpoint and never reaches a wallet by that name.
/// </summary>
internal sealed class CreditUserAccessor(IOptions<CreditsHttpOptions> options)
{
    /// <returns>The signed-in user's id, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="CreditUserIdRefusedException">The id is one the ledger refuses.</exception>
    public string? GetUserId(ClaimsPrincipal principal)
    {
        if (principal.GetCreditsUserId(options.Value) is not { } userId)
        {
            return null;
        }

        try
        {
            return CreditArguments.UserId(userId);
        }
        catch (ArgumentException error)
        {
            throw new CreditUserIdRefusedException(error.Message);
        }
    }
}
