namespace MediaForge.Credits.Teams;

/// <summary>
/// Mirrors an identity provider's organizations (Clerk) into teams, inside the webhook's exactly-once transaction.
/// Each change is a conditional update by the provider's version (later <c>updated_at</c> wins, the same version is
/// re-applied harmlessly), so deliveries in any order, duplicated, converge: per team the name of the newest
/// organization data; per membership the newest state (present with a role, or removed). A deletion freezes the team for
/// good and touches nothing else, so it converges with updates in either order. Rights and the owner rule of
/// <see cref="ICreditTeamService"/> do not apply here: the provider is the source of truth.
/// </summary>
internal sealed class CreditTeamMirror(CreditTeamRows rows, CreditService credits, TimeProvider time, ILogger<CreditTeamService> logger)
{
    private DbContext Db => rows.Db;

    /// <summary>Creates the team, or renames it when <paramref name="version"/> is not older than the stored one.</summary>
    /// <returns><c>team_created</c>, <c>team_updated</c> or <c>stale</c>.</returns>
    public async Task<string> ApplyOrganizationAsync(string teamId, string name, long version, CancellationToken cancellationToken)
    {
        var outcome = await UpsertTeamAsync(teamId, name, version, cancellationToken).ConfigureAwait(false);
        CreditTeamLog.Mirrored(logger, teamId, outcome);
        return outcome;
    }

    /// <summary>Freezes the team (made frozen when unknown yet, so a late creation cannot bring it back).</summary>
    /// <returns><c>team_frozen</c>.</returns>
    public async Task<string> FreezeAsync(string teamId, CancellationToken cancellationToken)
    {
        await EnsureTeamAsync(teamId, teamId, null, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        await Db.Set<CreditTeamRow>().Where(t => t.Id == teamId).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Status, CreditTeamStatus.Frozen)
            .SetProperty(t => t.FrozenAt, t => t.FrozenAt ?? now)
            .SetProperty(t => t.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        CreditTeamLog.Mirrored(logger, teamId, "team_frozen");
        return "team_frozen";
    }

    /// <summary>
    /// Applies a membership's state at <paramref name="version"/>: present with <paramref name="role"/>, or removed.
    /// The organization data the event carries (name and version, when it has them) is applied first, so a membership
    /// that arrives before its organization still finds its team.
    /// </summary>
    /// <returns><c>member_added</c>, <c>member_updated</c>, <c>member_removed</c> or <c>stale</c>.</returns>
    public async Task<string> ApplyMembershipAsync(string teamId, string? teamName, long? teamVersion, string userId, CreditTeamRole role,
        bool removed, long version, CancellationToken cancellationToken)
    {
        if (teamName is not null && teamVersion is { } organizationVersion)
        {
            await UpsertTeamAsync(teamId, teamName, organizationVersion, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await EnsureTeamAsync(teamId, teamId, null, cancellationToken).ConfigureAwait(false);
        }

        await credits.EnsureAccountAsync(userId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        DateTime? removedAt = removed ? now : null;
        var outcome = removed ? "member_removed" : "member_updated";
        if (await rows.FindMemberAsync(teamId, userId, cancellationToken).ConfigureAwait(false) is null)
        {
            // A racing first delivery for the same membership fails on the key: the webhook's transaction runs again.
            await Db.InsertDetachedAsync(new CreditTeamMemberRow
            {
                TeamId = teamId, UserId = userId, Role = role, RemovedAt = removedAt, SourceVersion = version, CreatedAt = now, UpdatedAt = now,
            }, cancellationToken).ConfigureAwait(false);
            outcome = removed ? "member_removed" : "member_added";
        }
        else if (await Db.Set<CreditTeamMemberRow>()
            .Where(m => m.TeamId == teamId && m.UserId == userId && (m.SourceVersion == null || m.SourceVersion <= version))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Role, role)
                // CreatedAt before RemovedAt: MySQL evaluates SET assignments left to right, each seeing the ones before it.
                .SetProperty(m => m.CreatedAt, m => !removed && m.RemovedAt != null ? now : m.CreatedAt)
                .SetProperty(m => m.RemovedAt, m => removed ? m.RemovedAt ?? now : null)
                .SetProperty(m => m.SourceVersion, version)
                .SetProperty(m => m.UpdatedAt, now), cancellationToken).ConfigureAwait(false) == 0)
        {
            outcome = "stale";
        }

        CreditTeamLog.Mirrored(logger, teamId, $"{outcome} {userId}");
        return outcome;
    }

    private async Task<string> UpsertTeamAsync(string teamId, string name, long version, CancellationToken cancellationToken)
    {
        if (await EnsureTeamAsync(teamId, name, version, cancellationToken).ConfigureAwait(false))
        {
            return "team_created";
        }

        var now = time.GetUtcNow().UtcDateTime;
        return await Db.Set<CreditTeamRow>()
            .Where(t => t.Id == teamId && (t.SourceVersion == null || t.SourceVersion <= version))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Name, name).SetProperty(t => t.SourceVersion, version).SetProperty(t => t.UpdatedAt, now), cancellationToken)
            .ConfigureAwait(false) == 0 ? "stale" : "team_updated";
    }

    /// <returns>Whether the team was made now (with its wallet account).</returns>
    private async Task<bool> EnsureTeamAsync(string teamId, string name, long? version, CancellationToken cancellationToken)
    {
        if (await Db.Set<CreditTeamRow>().AnyAsync(t => t.Id == teamId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await credits.EnsureAccountAsync(CreditWalletAccounts.TeamAccount(teamId), cancellationToken).ConfigureAwait(false);
        await Db.InsertDetachedAsync(new CreditTeamRow
        {
            Id = teamId, Name = name, Status = CreditTeamStatus.Active, SourceVersion = version, CreatedAt = now, UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
