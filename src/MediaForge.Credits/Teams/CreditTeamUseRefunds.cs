namespace MediaForge.Credits.Teams;

/// <summary>
/// The parts of a use of a team's wallet, for its refund: the wallet's charge and, when the funding policy split the use,
/// the member's own (both refer to the one usage log); and the member's limit count the wallet's part took, given back
/// in the period of the use (if that is still the one counted).
/// </summary>
internal sealed class CreditTeamUseRefunds(CreditsDbContextHandle handle, CreditTeamSpending spending)
{
    private readonly DbContext db = handle.Context;

    /// <summary>The team use that the usage charge <paramref name="transactionId"/> is part of; <see langword="null"/> for any other charge.</summary>
    public async Task<CreditTeamUse?> FindAsync(Guid transactionId, string? reference, CancellationToken cancellationToken)
    {
        var usageId = Guid.TryParse(reference, out var id) ? id : Guid.Empty;
        // A captured hold's charges refer to the hold; its usage log names the hold's ledger row (the wallet's, or the member's own).
        var held = await db.Set<CreditReservation>().AsNoTracking().Where(r => r.Id == usageId && r.TransactionId != null)
            .Select(r => r.TransactionId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var (heldBy, ofHold) = held is null ? (transactionId, null) : (held.Value, reference);
        var usage = await db.Set<UsageLog>().AsNoTracking()
            .Where(u => u.MemberId != null && (u.TransactionId == transactionId || u.TransactionId == heldBy || u.Id == usageId))
            .Select(u => new { u.Id, u.UserId, u.MemberId, u.CreatedAt })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (usage is null || CreditWalletAccounts.TeamOf(usage.UserId) is not { } teamId)
        {
            return null;
        }

        var ofUsage = usage.Id.ToString();
        var parts = await db.Set<CreditTransaction>().AsNoTracking()
            .Where(t => t.Type == CreditTransactionType.Usage && t.Amount < 0 && (t.Reference == ofUsage || (ofHold != null && t.Reference == ofHold) || t.Id == transactionId))
            .Select(t => new CreditTeamUsePart(t.Id, t.UserId, -t.Amount, t.Description))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new CreditTeamUse(teamId, usage.UserId, usage.MemberId!, usage.CreatedAt, parts);
    }

    /// <summary>Gives the wallet's refunded part back to the member's count for the period of the use.</summary>
    public Task GiveBackAsync(CreditTeamUse use, long amount, CancellationToken cancellationToken) =>
        spending.GiveBackAsync(use.TeamId, use.MemberId, amount, spending.PeriodOf(use.CreatedAt), cancellationToken);
}

/// <summary>One use of a team's wallet and its charges (the wallet's, and the member's own part of a split use).</summary>
internal sealed record CreditTeamUse(string TeamId, string WalletAccount, string MemberId, DateTime CreatedAt, IReadOnlyList<CreditTeamUsePart> Parts);

/// <summary>One usage charge of a team use: its ledger row, the account it took from and how much.</summary>
internal sealed record CreditTeamUsePart(Guid TransactionId, string Account, long Amount, string Description);
