namespace MediaForge.Credits.Teams;

/// <summary>
/// <see cref="ICreditService.CheckCreditsAsync"/> for a team's wallet: membership and the team's status, then what the
/// member could spend on one use now under the funding policy (the wallet's spendable credits up to the limit's
/// headroom, plus the member's own unless the policy is <see cref="CreditTeamFundingPolicy.TeamOnly"/>). Reads only; the
/// deduction decides again under its locks.
/// </summary>
internal sealed class CreditTeamChecks(CreditTeamSpending spending, CreditAccountReader accounts, IOptions<CreditsOptions> options)
{
    public async Task<CreditCheckResult> CheckAsync(string userId, CreditWallet wallet, long price, CancellationToken cancellationToken)
    {
        spending.EnsureEnabled();
        var teamId = wallet.TeamId!;
        var refusal = await spending.RefusalAsync(teamId, userId, cancellationToken).ConfigureAwait(false);
        if (refusal != CreditDeductionError.None)
        {
            return Result(price, 0, false, refusal);
        }

        var team = Math.Max(0, (await accounts.ReadAsync(CreditWalletAccounts.TeamAccount(teamId), cancellationToken).ConfigureAwait(false)).Available);
        if (await spending.IsProductAdminAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            return Result(price, team, true, CreditDeductionError.None);
        }

        var headroom = await spending.HeadroomAsync(teamId, userId, spending.CurrentPeriod(), cancellationToken).ConfigureAwait(false) ?? long.MaxValue;
        var personal = options.Value.Teams.FundingPolicy == CreditTeamFundingPolicy.TeamOnly
            ? 0
            : Math.Max(0, (await accounts.ReadAsync(userId, cancellationToken).ConfigureAwait(false)).Available);
        var available = Math.Min(team, headroom) + personal;
        var error = available >= price ? CreditDeductionError.None
            : team + personal >= price ? CreditDeductionError.MemberLimitReached
            : CreditDeductionError.InsufficientCredits;
        return Result(price, available, false, error);
    }

    private static CreditCheckResult Result(long price, long available, bool unlimited, CreditDeductionError error) => new()
    {
        HasCredits = error == CreditDeductionError.None,
        Required = price,
        Available = available,
        IsUnlimited = unlimited,
        Error = error,
    };
}
