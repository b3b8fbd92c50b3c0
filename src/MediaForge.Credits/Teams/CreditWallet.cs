namespace MediaForge.Credits;

/// <summary>
/// Whose credits an operation uses: the user's own (<see cref="Personal"/>, the default) or a team's
/// (<see cref="Team"/>). A team wallet is an ordinary balance of its own, so holds, expiry, purchases, refunds,
/// reconciliation and analytics work on it as on a user's, and every ledger invariant holds per wallet.
/// </summary>
public readonly record struct CreditWallet
{
    /// <summary>The longest team id, in characters.</summary>
    public const int MaxTeamIdLength = 64;

    private CreditWallet(string teamId) => TeamId = teamId;

    /// <summary>The user's own wallet (the same as <see langword="default"/>).</summary>
    public static CreditWallet Personal => default;

    /// <summary>The team's id, or <see langword="null"/> for the user's own wallet.</summary>
    public string? TeamId { get; }

    /// <summary>Whether this is a team's wallet.</summary>
    public bool IsTeam => TeamId is not null;

    /// <summary>The wallet of the team <paramref name="teamId"/>.</summary>
    /// <param name="teamId">The team id: 1 to <see cref="MaxTeamIdLength"/> characters, no spaces or control characters (a Clerk organization id fits).</param>
    /// <returns>The team's wallet.</returns>
    /// <exception cref="ArgumentException">An empty, too long or malformed team id.</exception>
    public static CreditWallet Team(string teamId) => new(ValidTeamId(teamId));

    /// <summary>Checks a team id: 1 to <see cref="MaxTeamIdLength"/> characters, no spaces or control characters.</summary>
    internal static string ValidTeamId(string teamId, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(teamId))] string? parameterName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(teamId, parameterName);
        if (teamId.Length > MaxTeamIdLength || teamId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException(
                $"A team id has 1 to {MaxTeamIdLength} characters and no spaces or control characters (was {Math.Min(teamId.Length, 999)} characters long).", parameterName);
        }

        return teamId;
    }

    /// <summary><c>personal</c>, or <c>team:{id}</c>.</summary>
    /// <returns>The wallet in words, for logs.</returns>
    public override string ToString() => TeamId is { } id ? "team:" + id : "personal";
}
