using MediaForge.Credits.Holds;

namespace MediaForge.Credits.Teams;

/// <summary>
/// Holds on a team's wallet, placed by a member: the member's row locked first (active member, active team), product
/// admins unlimited, the limit's headroom checked, the wallet's credits held, and the amount counted against the
/// member's limit when placed. A release gives the count back (in the period the hold was placed, if that is still the
/// one counted); a capture keeps what it charged and gives back the rest; an expiry keeps the count, as a use the host
/// never settled. A hold on a team's wallet holds the wallet's credits only, whatever the funding policy.
/// </summary>
internal sealed class CreditTeamHolds(CreditsDbContextHandle handle, CreditTeamSpending spending, CreditAccountReader accounts, TimeProvider time)
{
    private readonly DbContext db = handle.Context;

    /// <summary>Inside the reservation's transaction: holds <paramref name="amount"/> of the wallet for <paramref name="member"/>.</summary>
    /// <returns>Why not (then nothing is held), and whether the member is unlimited (then nothing is held either, and nothing counted).</returns>
    public async Task<(CreditDeductionError Error, bool Unlimited)> HoldAsync(string teamId, string member, long amount, CancellationToken cancellationToken)
    {
        var refusal = await spending.LockMemberAsync(teamId, member, cancellationToken).ConfigureAwait(false);
        if (refusal != CreditDeductionError.None)
        {
            return (refusal, false);
        }

        if (await spending.IsProductAdminAsync(member, cancellationToken).ConfigureAwait(false))
        {
            return (CreditDeductionError.None, true);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var period = spending.PeriodOf(now);
        if (amount > (await spending.HeadroomAsync(teamId, member, period, cancellationToken).ConfigureAwait(false) ?? long.MaxValue))
        {
            return (CreditDeductionError.MemberLimitReached, false);
        }

        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        if (!(await accounts.TryDebitAfterLapsesAsync(wallet, amount, now, ct => CreditHolds.TryHoldAsync(db, wallet, amount, now, ct), cancellationToken)
                .ConfigureAwait(false)).Debited)
        {
            return (CreditDeductionError.InsufficientCredits, false);
        }

        if (!await spending.TryCountAsync(teamId, member, amount, period, cancellationToken).ConfigureAwait(false))
        {
            // The headroom was read under the member's row lock: this cannot happen; roll back rather than overshoot.
            throw new InvalidOperationException($"The limit of member '{member}' of team '{teamId}' changed under its row lock.");
        }

        return (CreditDeductionError.None, false);
    }

    /// <summary>Before settling a member's hold on a team's wallet: locks the member's row (the member's row before the balance row, as in spending).</summary>
    public Task LockAsync(CreditReservationRow hold, CancellationToken cancellationToken) =>
        hold.MemberId is { } member && CreditWalletAccounts.TeamOf(hold.UserId) is { } teamId
            ? spending.LockAnyMemberAsync(teamId, member, cancellationToken)
            : Task.CompletedTask;

    /// <summary>After a release, or a capture of less than was held: gives <paramref name="unused"/> back to the member's count.</summary>
    public async Task GiveBackAsync(CreditReservationRow hold, long unused, CancellationToken cancellationToken)
    {
        if (unused > 0 && !hold.IsUnlimited && hold.MemberId is { } member && CreditWalletAccounts.TeamOf(hold.UserId) is { } teamId)
        {
            await spending.GiveBackAsync(teamId, member, unused, spending.PeriodOf(hold.CreatedAt), cancellationToken).ConfigureAwait(false);
        }
    }
}
