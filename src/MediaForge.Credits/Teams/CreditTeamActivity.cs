using MediaForge.Credits.Analytics;

namespace MediaForge.Credits.Teams;

/// <summary>
/// A team's activity for the operators' dashboard, read from what exists: the wallet's ledger (credits in and out over
/// time), the usage logs of the wallet account (spend per feature, and per member over time from
/// <c>usage_logs.member_id</c>), the members' period counters and who bought for the team (<c>purchases.purchased_by</c>).
/// </summary>
internal sealed class CreditTeamActivity(CreditTeamRows rows, CreditAccountReader accounts)
{
    /// <summary>Ledger rows read per report at most (the series of a very busy wallet is cut, and says so).</summary>
    public const int MaxLedgerRows = 50_000;

    public async Task<CreditTeamActivityReport?> ReadAsync(string teamId, CreditAnalyticsRange range, CancellationToken cancellationToken)
    {
        CreditWallet.ValidTeamId(teamId);
        ArgumentNullException.ThrowIfNull(range);
        if (await rows.FindAsync(teamId, cancellationToken).ConfigureAwait(false) is not { } team)
        {
            return null;
        }

        var db = rows.Db;
        var account = CreditWalletAccounts.TeamAccount(teamId);
        var (from, to) = (range.From.UtcDateTime, range.To.UtcDateTime);
        var balance = await accounts.ReadAsync(account, cancellationToken).ConfigureAwait(false);
        var members = await rows.ActiveMembers(teamId).OrderBy(m => m.UserId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var bought = await db.Set<CreditPurchase>().AsNoTracking()
            .Where(p => p.UserId == account && p.Status == PurchaseStatus.Completed && p.PurchasedBy != null && p.CompletedAt >= from && p.CompletedAt < to)
            .GroupBy(p => p.PurchasedBy!).Select(g => new { UserId = g.Key, Purchases = g.Count(), Credits = g.Sum(p => p.Credits) })
            .ToDictionaryAsync(g => g.UserId, cancellationToken).ConfigureAwait(false);
        var features = await db.Set<UsageLog>().AsNoTracking().Where(u => u.UserId == account && u.CreatedAt >= from && u.CreatedAt < to)
            .GroupBy(u => new { u.Feature, u.Model }).Select(g => new CreditTeamFeatureActivity(g.Key.Feature, g.Key.Model, g.Count(), g.Sum(u => u.CreditsUsed)))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var ledger = await db.Set<CreditTransaction>().AsNoTracking().Where(t => t.UserId == account && t.CreatedAt >= from && t.CreatedAt < to)
            .OrderBy(t => t.CreatedAt).Take(MaxLedgerRows + 1).Select(t => new { t.CreatedAt, t.Amount })
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        var usage = await db.Set<UsageLog>().AsNoTracking().Where(u => u.UserId == account && u.MemberId != null && u.CreatedAt >= from && u.CreatedAt < to)
            .OrderBy(u => u.CreatedAt).Take(MaxLedgerRows + 1).Select(u => new { u.CreatedAt, u.MemberId, u.CreditsUsed })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var memberSeries = usage.Take(MaxLedgerRows).GroupBy(u => (Start: CreditAnalytics.BucketStart(u.CreatedAt, range.Bucket), u.MemberId))
            .Select(g => new CreditTeamMemberSpendPoint(g.Key.Start, g.Key.MemberId!, g.Sum(u => u.CreditsUsed)))
            .OrderBy(p => p.Start).ThenBy(p => p.UserId, StringComparer.Ordinal).ToList();

        var memberRows = members.Select(m => rows.Show(m, team)).Select(m => new CreditTeamMemberActivity(m.UserId, m.Role, m.SpentThisPeriod,
            m.EffectiveLimit, bought.GetValueOrDefault(m.UserId)?.Purchases ?? 0, bought.GetValueOrDefault(m.UserId)?.Credits ?? 0));
        var formerBuyers = bought.Values.Where(b => members.All(m => m.UserId != b.UserId))
            .Select(b => new CreditTeamMemberActivity(b.UserId, null, 0, null, b.Purchases, b.Credits));
        var series = ledger.Take(MaxLedgerRows).GroupBy(t => CreditAnalytics.BucketStart(t.CreatedAt, range.Bucket))
            .Select(g => new CreditTeamLedgerPoint(g.Key, g.Where(t => t.Amount > 0).Sum(t => t.Amount), -g.Where(t => t.Amount < 0).Sum(t => t.Amount)))
            .OrderBy(p => p.Start).ToList();
        return new CreditTeamActivityReport(rows.Show(team), balance.Balance, balance.Available, range,
            [.. memberRows, .. formerBuyers.OrderBy(b => b.UserId, StringComparer.Ordinal)],
            [.. features.OrderByDescending(f => f.Credits).ThenBy(f => f.Feature, StringComparer.Ordinal).ThenBy(f => f.Model, StringComparer.Ordinal)],
            series, SeriesCut: ledger.Count > MaxLedgerRows || usage.Count > MaxLedgerRows, memberSeries);
    }
}

/// <summary>A team's activity in a range (<see cref="CreditTeamActivity"/>).</summary>
/// <param name="Team">The team.</param>
/// <param name="Balance">The wallet's balance now.</param>
/// <param name="Available">The wallet's spendable credits now.</param>
/// <param name="Range">The range read.</param>
/// <param name="Members">The active members (role set), then former members who bought in the range (role null).</param>
/// <param name="Features">Credits the wallet spent per feature and model in the range.</param>
/// <param name="Series">Credits into and out of the wallet per bucket.</param>
/// <param name="SeriesCut">Whether the range held more than <see cref="CreditTeamActivity.MaxLedgerRows"/> ledger or usage rows (the series stop there).</param>
/// <param name="MemberSeries">Credits each member spent from the wallet per bucket (usage rows that name the member).</param>
internal sealed record CreditTeamActivityReport(CreditTeam Team, long Balance, long Available, CreditAnalyticsRange Range,
    IReadOnlyList<CreditTeamMemberActivity> Members, IReadOnlyList<CreditTeamFeatureActivity> Features, IReadOnlyList<CreditTeamLedgerPoint> Series,
    bool SeriesCut, IReadOnlyList<CreditTeamMemberSpendPoint> MemberSeries);

/// <summary>One member in <see cref="CreditTeamActivityReport"/>.</summary>
/// <param name="UserId">The member.</param>
/// <param name="Role">The role; <see langword="null"/> for a former member.</param>
/// <param name="SpentThisPeriod">The member's counter for the current limit period.</param>
/// <param name="EffectiveLimit">The limit that applies, if any.</param>
/// <param name="Purchases">Completed purchases the member made for the team in the range.</param>
/// <param name="CreditsBought">Credits of those purchases.</param>
internal sealed record CreditTeamMemberActivity(string UserId, CreditTeamRole? Role, long SpentThisPeriod, long? EffectiveLimit, int Purchases, long CreditsBought);

/// <summary>Credits the wallet spent on one feature and model.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Model">The model.</param>
/// <param name="Uses">Uses.</param>
/// <param name="Credits">Credits spent.</param>
internal sealed record CreditTeamFeatureActivity(string Feature, string Model, int Uses, long Credits);

/// <summary>Credits into and out of the wallet in one bucket.</summary>
/// <param name="Start">The bucket's start (UTC).</param>
/// <param name="CreditsIn">Credits added (purchases, grants, transfers in).</param>
/// <param name="CreditsOut">Credits removed (spending, clawbacks, expiry), as a positive number.</param>
internal sealed record CreditTeamLedgerPoint(DateTimeOffset Start, long CreditsIn, long CreditsOut);

/// <summary>Credits one member spent from the wallet in one bucket.</summary>
/// <param name="Start">The bucket's start (UTC).</param>
/// <param name="UserId">The member who spent.</param>
/// <param name="Credits">Credits of their uses in the bucket (the whole price of a use the funding policy split).</param>
internal sealed record CreditTeamMemberSpendPoint(DateTimeOffset Start, string UserId, long Credits);
