using MediaForge.Credits.Storage;

namespace MediaForge.Credits.Teams;

/// <summary>
/// The member's side of spending from a team's wallet, inside the spending transaction: the member's row locked first
/// (only while the member is active and the team is active), the limit's headroom for the period, the count of what the
/// wallet paid, and its return when a hold is released. The row order of every team spend: the member's row, then the
/// balance rows in ordinal id order (on MariaDB the team row's shared lock before all of them); a removal or freeze
/// takes the team row and then the member row, so a spend racing a removal either commits first or finds the member
/// removed.
/// </summary>
internal sealed class CreditTeamSpending(CreditsDbContextHandle handle, CreditLedger ledger, CreditAccountReader accounts, IOptions<CreditsOptions> options,
    TimeProvider time)
{
    private readonly DbContext db = handle.Context;

    /// <summary>The start of the limit period <paramref name="at"/> falls in.</summary>
    public DateTime PeriodOf(DateTime at) => CreditTeamPeriods.StartOf(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), options.Value.Teams.LimitPeriod);

    /// <summary>The current limit period's start.</summary>
    public DateTime CurrentPeriod() => CreditTeamPeriods.StartOf(time.GetUtcNow(), options.Value.Teams.LimitPeriod);

    /// <summary>Throws when teams are off: a team's wallet named with teams off is the host's mistake, not the user's.</summary>
    public void EnsureEnabled()
    {
        if (!options.Value.Teams.Enabled)
        {
            throw new InvalidOperationException("Teams are off: set MediaForge:Credits:Teams:Enabled (CreditsOptions.Teams.Enabled) to true to spend from a team's wallet.");
        }
    }

    /// <summary>
    /// Locks the member's row (a no-op update) if the member is active in an active team; otherwise tells why not.
    /// </summary>
    /// <returns><see cref="CreditDeductionError.None"/> when locked; <see cref="CreditDeductionError.NotTeamMember"/> or <see cref="CreditDeductionError.TeamFrozen"/>.</returns>
    public async Task<CreditDeductionError> LockMemberAsync(string teamId, string userId, CancellationToken cancellationToken)
    {
        await CreditTeamMemberLocks.ShareTeamRowAsync(db, teamId, cancellationToken).ConfigureAwait(false);
        return await LockSharedMemberAsync(teamId, userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="LockMemberAsync"/> of several members of one team (a group-commit batch's, ordered by user id, ordinal),
    /// in one statement while all of them may spend (decision 0048): on PostgreSQL their rows locked in user id order,
    /// whatever the plan; on MariaDB the team row's shared lock first, once, then their rows in the primary key's order;
    /// on SQLite (one writer) in any order. Each member's answer is the one <see cref="LockMemberAsync"/> gives.
    /// </summary>
    public async Task<Dictionary<string, CreditDeductionError>> LockMembersAsync(string teamId, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        await CreditTeamMemberLocks.ShareTeamRowAsync(db, teamId, cancellationToken).ConfigureAwait(false);
        // Whose rows are locked, or null when some are not and which is not known: then each is locked (or refused) on its
        // own, as one by one, the rows the statement locked already held.
        IReadOnlySet<string>? locked;
        if (CreditLedgerSchema.IsNpgsqlProvider(db.Database.ProviderName))
        {
            locked = await CreditTeamMemberLocks.LockInOrderAsync(db, teamId, userIds, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var count = await ActiveMembers(teamId, userIds)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.PeriodSpent, m => m.PeriodSpent), cancellationToken).ConfigureAwait(false);
            locked = count == userIds.Count ? userIds.ToHashSet(StringComparer.Ordinal) : null;
        }

        var answers = new Dictionary<string, CreditDeductionError>(StringComparer.Ordinal);
        foreach (var userId in userIds)
        {
            answers[userId] = locked is null ? await LockSharedMemberAsync(teamId, userId, cancellationToken).ConfigureAwait(false)
                : locked.Contains(userId) ? CreditDeductionError.None
                : await RefusalAsync(teamId, userId, cancellationToken).ConfigureAwait(false);
        }

        return answers;
    }

    /// <summary>Why the member may not spend from the team's wallet now, read without locks; <see cref="CreditDeductionError.None"/> when they may.</summary>
    public async Task<CreditDeductionError> RefusalAsync(string teamId, string userId, CancellationToken cancellationToken)
    {
        if (!await Member(teamId, userId).AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return CreditDeductionError.NotTeamMember;
        }

        // Only a member learns that the team is frozen.
        return await db.Set<CreditTeamRow>().AnyAsync(t => t.Id == teamId && t.Status == CreditTeamStatus.Active, cancellationToken).ConfigureAwait(false)
            ? CreditDeductionError.None
            : CreditDeductionError.TeamFrozen;
    }

    /// <summary>What the member may still spend from the wallet in <paramref name="period"/>; <see langword="null"/>: no limit.</summary>
    public async Task<long?> HeadroomAsync(string teamId, string userId, DateTime period, CancellationToken cancellationToken)
    {
        var headroom = (await CountsAsync(teamId, [userId], period, cancellationToken).ConfigureAwait(false))[userId].Headroom;
        // Stryker disable once Conditional : every caller reads null as long.MaxValue (`?? long.MaxValue`), so returning long.MaxValue itself is the same
        return headroom == long.MaxValue ? null : headroom;
    }

    /// <summary>
    /// For each of several members in one read: what is counted against the limit in <paramref name="period"/> and
    /// <see cref="HeadroomAsync"/> (a member not active reads as 0 and 0; no limit as a headroom of
    /// <see cref="long.MaxValue"/>), for a batch that has locked their rows.
    /// </summary>
    public async Task<Dictionary<string, (long Spent, long Headroom)>> CountsAsync(string teamId, IReadOnlyList<string> userIds, DateTime period,
        CancellationToken cancellationToken)
    {
        var teamDefault = DefaultLimitOf(teamId);
        // Stryker disable once Linq : equivalent: First and FirstOrDefault of the team's default are one SQL subquery (LIMIT 1, neither throws inside a query), and the team row exists whenever a member row does
        var rows = await db.Set<CreditTeamMemberRow>().AsNoTracking()
            .Where(m => m.TeamId == teamId && userIds.Contains(m.UserId) && m.RemovedAt == null)
            .Select(m => new { m.UserId, Limit = m.SpendLimit ?? teamDefault.FirstOrDefault(), Spent = m.PeriodStart == period ? m.PeriodSpent : 0 })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var counts = userIds.ToDictionary(u => u, _ => (0L, 0L), StringComparer.Ordinal);
        foreach (var row in rows)
        {
            counts[row.UserId] = (row.Spent, row.Limit is { } most ? Math.Max(0, most - row.Spent) : long.MaxValue);
        }

        return counts;
    }

    /// <summary>
    /// Counts <paramref name="amount"/> paid by the wallet against the member's limit in <paramref name="period"/>, in
    /// one conditional update (the counter restarts from 0 in a new period).
    /// </summary>
    /// <returns>Whether it was counted: false when the limit does not cover it (or the member is not active).</returns>
    public async Task<bool> TryCountAsync(string teamId, string userId, long amount, DateTime period, CancellationToken cancellationToken)
    {
        // No limit reads as the largest amount: the sum of a bounded count and a bounded amount never reaches it.
        var limit = LimitOf(teamId, userId);
        // Stryker disable once Linq : equivalent: First and FirstOrDefault of the limit are one SQL subquery (LIMIT 1, neither throws inside a query), and the member's row is the one updated
        return await Member(teamId, userId)
            .Where(m => (m.PeriodStart == period ? m.PeriodSpent : 0) + amount <= (limit.FirstOrDefault() ?? long.MaxValue))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.PeriodSpent, m => (m.PeriodStart == period ? m.PeriodSpent : 0) + amount)
                .SetProperty(m => m.PeriodStart, period), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// <see cref="TryCountAsync"/> of the same <paramref name="amount"/> for several members (distinct) in one
    /// conditional update (a folded batch's members who spent the same, decision 0048): each row is counted exactly
    /// when <see cref="TryCountAsync"/> would count it, the counter restarting from 0 in a new period the same way.
    /// </summary>
    /// <returns>Whether every one of them was counted.</returns>
    public async Task<bool> TryCountManyAsync(string teamId, IReadOnlyList<string> userIds, long amount, DateTime period, CancellationToken cancellationToken)
    {
        var teamDefault = DefaultLimitOf(teamId);
        // Stryker disable once Linq : equivalent: First and FirstOrDefault of the team's default are one SQL subquery (LIMIT 1, neither throws inside a query), and the team row exists whenever a member row does
        return await db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && userIds.Contains(m.UserId) && m.RemovedAt == null)
            .Where(m => (m.PeriodStart == period ? m.PeriodSpent : 0) + amount <= (m.SpendLimit ?? teamDefault.FirstOrDefault() ?? long.MaxValue))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.PeriodSpent, m => (m.PeriodStart == period ? m.PeriodSpent : 0) + amount)
                .SetProperty(m => m.PeriodStart, period), cancellationToken).ConfigureAwait(false) == userIds.Count;
    }

    /// <summary>
    /// Gives <paramref name="amount"/> back to the member's count for <paramref name="period"/> (a released hold), if
    /// that period is still the one counted: a hold placed last period gives nothing back to this one. Removed members
    /// included (their count is kept for attribution).
    /// </summary>
    public Task<int> GiveBackAsync(string teamId, string userId, long amount, DateTime period, CancellationToken cancellationToken)
    {
        var row = db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && m.UserId == userId && m.PeriodStart == period);
        // Stryker disable once Equality,Conditional : at PeriodSpent == amount both branches give 0; and a give-back never exceeds what was counted in its period (a hold gives back once, turning limit_counted off; a refund its counted part), so the 0 branch is an unreachable guard against a negative count
        return row.ExecuteUpdateAsync(s => s.SetProperty(m => m.PeriodSpent, m => m.PeriodSpent > amount ? m.PeriodSpent - amount : 0), cancellationToken);
    }

    /// <summary>
    /// After the member's row is locked: how the funding policy splits <paramref name="price"/> between the wallet and the
    /// member's own credits now. When two wallets may pay, both balance rows are locked first, in ordinal id order (the
    /// member's row first, then those: the order of every team spend and hold).
    /// </summary>
    public async Task<CreditTeamSplit> SplitAsync(string teamId, string member, long price, DateTime at, CancellationToken cancellationToken)
    {
        var policy = options.Value.Teams.FundingPolicy;
        var wallet = CreditWalletAccounts.TeamAccount(teamId);
        if (policy != CreditTeamFundingPolicy.TeamOnly)
        {
            await ledger.EnsureAccountAsync(member, at, cancellationToken).ConfigureAwait(false);
            await Holds.CreditHolds.LockBalanceRowsAsync(db, member, wallet, at, cancellationToken).ConfigureAwait(false);
        }

        var period = PeriodOf(at);
        var headroom = await HeadroomAsync(teamId, member, period, cancellationToken).ConfigureAwait(false) ?? long.MaxValue;
        var teamPart = policy switch
        {
            CreditTeamFundingPolicy.PersonalFirst => price - Math.Min(price, await AvailableAsync(member, cancellationToken).ConfigureAwait(false)),
            CreditTeamFundingPolicy.TeamFirst => Math.Min(price, Math.Min(headroom, await AvailableAsync(wallet, cancellationToken).ConfigureAwait(false))),
            _ => price,
        };
        return new CreditTeamSplit(period, headroom, teamPart, price - teamPart);
    }

    /// <summary>An account's spendable credits now (lapses counted as gone), at least 0.</summary>
    public async Task<long> AvailableAsync(string account, CancellationToken cancellationToken) =>
        Math.Max(0, (await accounts.ReadAsync(account, cancellationToken).ConfigureAwait(false)).Available);

    /// <summary>Locks the member's row, removed or not (settling a hold takes the member's row before the balance row, as spending does).</summary>
    public Task<int> LockAnyMemberAsync(string teamId, string userId, CancellationToken cancellationToken) =>
        db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && m.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PeriodSpent, m => m.PeriodSpent), cancellationToken);

    /// <summary>Whether the member is a product admin (configured, or flagged on the user row): unlimited, also on a team's wallet.</summary>
    public async Task<bool> IsProductAdminAsync(string userId, CancellationToken cancellationToken) =>
        options.Value.AdminUserIds.Contains(userId)
        || await db.Set<CreditUser>().AnyAsync(u => u.Id == userId && u.IsAdmin, cancellationToken).ConfigureAwait(false);

    /// <summary>Whether any of <paramref name="userIds"/> is a product admin (configured, or flagged on the user row).</summary>
    public async Task<bool> AnyProductAdminAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken) =>
        userIds.Any(options.Value.AdminUserIds.Contains)
        || await db.Set<CreditUser>().AnyAsync(u => userIds.Contains(u.Id) && u.IsAdmin, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The member's effective limit per period: the member's own, else the team's default; null: none. The reads
    /// (<see cref="CountsAsync"/>) and <see cref="TryCountManyAsync"/> spell the same rule over several members; both take the default from <see cref="DefaultLimitOf"/>.
    /// </summary>
    private IQueryable<long?> LimitOf(string teamId, string userId)
    {
        var teamDefault = DefaultLimitOf(teamId);
        // Stryker disable once NullCoalescing,Linq : every count follows a headroom check under the member's row lock that applies the team's default (CountsAsync), so a count ignoring the default cannot pass where it would not; the team row exists whenever a member row does (First = FirstOrDefault). Ignoring the member's own limit is killed by TeamSpendingPartsTests
        return Member(teamId, userId).Select(m => m.SpendLimit ?? teamDefault.FirstOrDefault());
    }

    /// <summary><see cref="LockMemberAsync"/> after the team row's shared lock (MariaDB) is taken.</summary>
    private async Task<CreditDeductionError> LockSharedMemberAsync(string teamId, string userId, CancellationToken cancellationToken)
    {
        var locked = await Member(teamId, userId)
            .Where(m => db.Set<CreditTeamRow>().Any(t => t.Id == teamId && t.Status == CreditTeamStatus.Active))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PeriodSpent, m => m.PeriodSpent), cancellationToken).ConfigureAwait(false);
        // Stryker disable once Conditional : when the row was locked, RefusalAsync (same transaction) finds the member active in an active team and answers None as well; only a read more
        return locked == 1 ? CreditDeductionError.None : await RefusalAsync(teamId, userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows of those of <paramref name="userIds"/> who are active members of the team, while the team is active.</summary>
    private IQueryable<CreditTeamMemberRow> ActiveMembers(string teamId, IReadOnlyList<string> userIds) =>
        db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && userIds.Contains(m.UserId) && m.RemovedAt == null
            && db.Set<CreditTeamRow>().Any(t => t.Id == teamId && t.Status == CreditTeamStatus.Active));

    private IQueryable<long?> DefaultLimitOf(string teamId) => db.Set<CreditTeamRow>().Where(t => t.Id == teamId).Select(t => t.DefaultMemberLimit);

    private IQueryable<CreditTeamMemberRow> Member(string teamId, string userId) =>
        db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && m.UserId == userId && m.RemovedAt == null);
}

/// <summary>How a funding policy splits one use or hold: the wallet's part (counted against the limit) and the member's own.</summary>
/// <param name="Period">The limit period the wallet's part counts in.</param>
/// <param name="Headroom">What the member may still take from the wallet in the period (<see cref="long.MaxValue"/>: no limit).</param>
/// <param name="TeamPart">The wallet's part.</param>
/// <param name="PersonalPart">The member's own part.</param>
internal readonly record struct CreditTeamSplit(DateTime Period, long Headroom, long TeamPart, long PersonalPart)
{
    /// <summary>Whether the wallet's part is over the member's headroom (then nothing may be charged or held).</summary>
    public bool OverLimit => TeamPart > Headroom;
}
