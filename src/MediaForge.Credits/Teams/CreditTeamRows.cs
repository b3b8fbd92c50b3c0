using MediaForge.Credits.Storage.Configurations;

namespace MediaForge.Credits.Teams;

/// <summary>The team and member rows as the team operations read, lock and show them.</summary>
internal sealed class CreditTeamRows(CreditsDbContextHandle handle, IOptions<CreditsOptions> options, TimeProvider time)
{
    private readonly DbContext db = handle.Context;

    public DbContext Db => db;

    public IQueryable<CreditTeamMemberRow> ActiveMembers(string teamId) =>
        db.Set<CreditTeamMemberRow>().AsNoTracking().Where(m => m.TeamId == teamId && m.RemovedAt == null);

    /// <summary>
    /// Locks the team's row for the rest of the transaction (a no-op update) and reads it; <see langword="null"/> when
    /// there is no such team. Every change to a team's members takes this lock first, so they run one after another.
    /// </summary>
    public async Task<CreditTeamRow?> LockAsync(string teamId, CancellationToken cancellationToken)
    {
        var locked = await db.Set<CreditTeamRow>().Where(t => t.Id == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, t => t.Status), cancellationToken).ConfigureAwait(false);
        return locked == 0 ? null : await FindAsync(teamId, cancellationToken).ConfigureAwait(false);
    }

    public Task<CreditTeamRow?> FindAsync(string teamId, CancellationToken cancellationToken) =>
        db.Set<CreditTeamRow>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);

    /// <summary>The member's row, removed or not.</summary>
    public Task<CreditTeamMemberRow?> FindMemberAsync(string teamId, string userId, CancellationToken cancellationToken) =>
        db.Set<CreditTeamMemberRow>().AsNoTracking().FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == userId, cancellationToken);

    public Task<int> CountOwnersAsync(string teamId, CancellationToken cancellationToken) =>
        ActiveMembers(teamId).CountAsync(m => m.Role == CreditTeamRole.Owner, cancellationToken);

    public CreditTeam Show(CreditTeamRow row) => new()
    {
        Id = row.Id,
        Name = row.Name,
        Status = row.Status,
        DefaultMemberLimit = row.DefaultMemberLimit,
        CreatedAt = Utc(row.CreatedAt),
        FrozenAt = row.FrozenAt is { } frozen ? Utc(frozen) : null,
    };

    public CreditTeamMember Show(CreditTeamMemberRow row, CreditTeamRow team)
    {
        var period = CreditTeamPeriods.StartOf(time.GetUtcNow(), options.Value.Teams.LimitPeriod);
        return new CreditTeamMember
        {
            UserId = row.UserId,
            Role = row.Role,
            Limit = row.SpendLimit,
            EffectiveLimit = row.SpendLimit ?? team.DefaultMemberLimit,
            SpentThisPeriod = CreditTeamPeriods.SpentIn(row, period),
            PeriodStart = Utc(period),
            JoinedAt = Utc(row.CreatedAt),
        };
    }

    /// <summary>A team name: trimmed, 1 to 200 characters, no control characters.</summary>
    public static string Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var trimmed = name.Trim();
        if (trimmed.Length > CreditsModelLimits.TeamName || trimmed.Any(char.IsControl))
        {
            throw new ArgumentException($"A team name has 1 to {CreditsModelLimits.TeamName} characters and no control characters.", nameof(name));
        }

        return trimmed;
    }

    /// <summary>A limit: 0 to <see cref="CreditLimits.MaxAmount"/>, or none.</summary>
    public static long? Limit(long? limit)
    {
        if (limit is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(limit));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, CreditLimits.MaxAmount, nameof(limit));
        }

        return limit;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
