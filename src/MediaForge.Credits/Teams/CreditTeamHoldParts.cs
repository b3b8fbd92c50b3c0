using MediaForge.Credits.Holds;

namespace MediaForge.Credits.Teams;

/// <summary>
/// The member's own part of a split team hold (funding policy <see cref="CreditTeamFundingPolicy.PersonalFirst"/> or
/// <see cref="CreditTeamFundingPolicy.TeamFirst"/>): a second reservation row, on the member's own account, keyed
/// <c>mf:team-hold:{hold id}</c>, with no member and no limit count. It is placed, captured, released and expired in
/// the transaction of the team hold it belongs to (a debit of the member's own may expire it in passing once lapsed,
/// like any hold); its id is never handed out, so it is never settled on its own.
/// </summary>
internal static class CreditTeamHoldParts
{
    private const string KeyKind = "team-hold";

    private static readonly string Prefix = CreditOperationKeys.For(KeyKind, "");

    /// <summary>The key of the part of <paramref name="holdId"/>.</summary>
    public static string KeyOf(Guid holdId) => CreditOperationKeys.For(KeyKind, holdId.ToString());

    /// <summary>The team hold a part's key names; <see langword="null"/> when the key is not a part's.</summary>
    public static Guid? HoldOf(string? key) =>
        key is not null && key.StartsWith(Prefix, StringComparison.Ordinal) && Guid.TryParse(key.AsSpan(Prefix.Length), out var id) ? id : null;

    /// <summary>The member's part of <paramref name="hold"/>: <paramref name="amount"/> of the member's own credits.</summary>
    public static CreditReservation New(CreditReservation hold, long amount) => new()
    {
        Id = Guid.CreateVersion7(new DateTimeOffset(DateTime.SpecifyKind(hold.CreatedAt, DateTimeKind.Utc))),
        UserId = hold.MemberId!,
        Feature = hold.Feature,
        Model = hold.Model,
        Amount = amount,
        RequestedAmount = amount,
        Status = ReservationStatus.Active,
        IdempotencyKey = KeyOf(hold.Id),
        ExpiresAt = hold.ExpiresAt,
        CreatedAt = hold.CreatedAt,
    };

    /// <summary>The part of a team hold; <see langword="null"/> for a hold that is not split (one query, for team holds only).</summary>
    public static async Task<CreditReservationRow?> FindAsync(DbContext db, Guid holdId, string? memberId, CancellationToken cancellationToken)
    {
        // Stryker disable once Block : saves a query: a part is keyed on the member's own account (UserId is required), so no row has a null UserId to find
        if (memberId is null)
        {
            return null;
        }

        var key = KeyOf(holdId);
        return await db.Set<CreditReservation>().AsNoTracking().Where(r => r.UserId == memberId && r.IdempotencyKey == key)
            .Select(CreditReservationRow.Of).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the part as <paramref name="to"/> if it is still active (as expired only once lapsed), without an event of its own.</summary>
    public static Task<bool> EndAsync(DbContext db, CreditReservationRow? part, ReservationStatus to, DateTime now, CancellationToken cancellationToken) =>
        part is null ? Task.FromResult(false)
            : CreditHolds.SettleAsync(db, part.Id, part.UserId, part.Amount, to, now, cancellationToken, onlyIfExpired: to == ReservationStatus.Expired,
                raiseExpired: false);

    /// <summary>
    /// What a capture of <paramref name="charge"/> takes from the member's part: the policy's order of spending, so a
    /// capture of less than held gives back in the reverse order (<c>TeamFirst</c>: the member's own first; otherwise the pool's first).
    /// </summary>
    public static long PersonalShare(CreditTeamFundingPolicy policy, long charge, long teamHeld, long personalHeld) =>
        policy == CreditTeamFundingPolicy.TeamFirst ? Math.Max(0, charge - teamHeld) : Math.Min(charge, personalHeld);
}
