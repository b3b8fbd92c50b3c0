namespace MediaForge.Credits.Teams;

/// <summary>
/// The one mapping from a wallet to the ledger account (<c>users</c> / <c>credits</c> row) that holds its credits. A
/// user's own wallet is the account named by the user id. A team's wallet is the account <c>mf:team:{teamId}</c>: in the
/// library's reserved <c>mf:</c> space, which <see cref="CreditArguments.UserId"/> refuses to callers, so no user id can
/// take (or spend from) a team's account by naming it.
/// </summary>
internal static class CreditWalletAccounts
{
    /// <summary>The prefix of every team wallet's account id.</summary>
    public const string TeamPrefix = CreditOperationKeys.ReservedPrefix + "team:";

    /// <summary>The account of <paramref name="wallet"/> used by <paramref name="userId"/>.</summary>
    public static string For(string userId, CreditWallet wallet) => wallet.TeamId is { } teamId ? TeamAccount(teamId) : userId;

    /// <summary>The account of the team <paramref name="teamId"/> (already a valid team id).</summary>
    public static string TeamAccount(string teamId) => TeamPrefix + teamId;

    /// <summary>The team whose wallet <paramref name="accountId"/> is, or <see langword="null"/> for a user's own account.</summary>
    public static string? TeamOf(string accountId) =>
        accountId.StartsWith(TeamPrefix, StringComparison.Ordinal) ? accountId[TeamPrefix.Length..] : null;
}
