namespace MediaForge.Credits.Teams;

/// <summary>
/// The changes of <see cref="ICreditTeamService"/>, each one transaction that first locks the team's row (so changes to
/// one team run one after another and the owner count cannot race), then checks the team, the acting member and their
/// rights, then writes. A refusal writes nothing.
/// </summary>
internal sealed class CreditTeamCommands(CreditTeamRows rows, CreditService credits, TimeProvider time, ILogger<CreditTeamService> logger)
{
    private DbContext Db => rows.Db;

    public Task<CreditTeamResult> CreateAsync(string teamId, string name, string ownerId, CancellationToken cancellationToken) =>
        CreditTransactions.RunAsync(Db, async ct =>
        {
            if (await rows.FindAsync(teamId, ct).ConfigureAwait(false) is { } existing)
            {
                return Refused(teamId, "create", ownerId, CreditTeamError.TeamExists, existing);
            }

            // A racing creation of the same id fails on the primary key: the transaction runs again and finds the winner.
            var now = time.GetUtcNow().UtcDateTime;
            var team = new CreditTeamRow { Id = teamId, Name = name, Status = CreditTeamStatus.Active, CreatedAt = now, UpdatedAt = now };
            await credits.EnsureAccountAsync(CreditWalletAccounts.TeamAccount(teamId), ct).ConfigureAwait(false);
            await credits.EnsureAccountAsync(ownerId, ct).ConfigureAwait(false);
            await Db.InsertDetachedAsync(team, ct).ConfigureAwait(false);
            var owner = new CreditTeamMemberRow { TeamId = teamId, UserId = ownerId, Role = CreditTeamRole.Owner, CreatedAt = now, UpdatedAt = now };
            await Db.InsertDetachedAsync(owner, ct).ConfigureAwait(false);
            return Done(team, owner, "create", ownerId);
        }, cancellationToken);

    public Task<CreditTeamResult> AddAsync(string teamId, string actorId, string userId, CreditTeamRole role, CancellationToken cancellationToken) =>
        ChangeAsync(teamId, actorId, "add", async (team, actor, ct) =>
        {
            if (!CreditTeamRights.CanAdd(actor.Role, role))
            {
                return CreditTeamError.NotAllowed;
            }

            var earlier = await rows.FindMemberAsync(teamId, userId, ct).ConfigureAwait(false);
            if (earlier is { RemovedAt: null })
            {
                return CreditTeamError.AlreadyMember;
            }

            var now = time.GetUtcNow().UtcDateTime;
            if (earlier is null)
            {
                await credits.EnsureAccountAsync(userId, ct).ConfigureAwait(false);
                await Db.InsertDetachedAsync(new CreditTeamMemberRow { TeamId = teamId, UserId = userId, Role = role, CreatedAt = now, UpdatedAt = now }, ct)
                    .ConfigureAwait(false);
            }
            else
            {
                // Back after a removal: a new membership (role, no own limit); this period's spending still counts.
                await Member(teamId, userId).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, role).SetProperty(m => m.SpendLimit, (long?)null)
                    .SetProperty(m => m.RemovedAt, (DateTime?)null).SetProperty(m => m.CreatedAt, now).SetProperty(m => m.UpdatedAt, now), ct).ConfigureAwait(false);
            }

            return CreditTeamError.None;
        }, userId, cancellationToken);

    public Task<CreditTeamResult> RemoveAsync(string teamId, string actorId, string userId, CancellationToken cancellationToken) =>
        ChangeAsync(teamId, actorId, "remove", async (team, actor, ct) =>
        {
            var target = await rows.FindMemberAsync(teamId, userId, ct).ConfigureAwait(false);
            if (target is not { RemovedAt: null })
            {
                return CreditTeamError.MemberNotFound;
            }

            if (userId != actorId && !CreditTeamRights.CanManage(actor.Role, target.Role))
            {
                return CreditTeamError.NotAllowed;
            }

            if (target.Role == CreditTeamRole.Owner && await rows.CountOwnersAsync(teamId, ct).ConfigureAwait(false) == 1)
            {
                return CreditTeamError.LastOwner;
            }

            var now = time.GetUtcNow().UtcDateTime;
            await Member(teamId, userId).ExecuteUpdateAsync(s => s.SetProperty(m => m.RemovedAt, now).SetProperty(m => m.UpdatedAt, now), ct).ConfigureAwait(false);
            return CreditTeamError.None;
        }, userId, cancellationToken);

    public Task<CreditTeamResult> ChangeRoleAsync(string teamId, string actorId, string userId, CreditTeamRole role, CancellationToken cancellationToken) =>
        ChangeAsync(teamId, actorId, "role " + role, async (team, actor, ct) =>
        {
            var target = await rows.FindMemberAsync(teamId, userId, ct).ConfigureAwait(false);
            var error = target is not { RemovedAt: null } ? CreditTeamError.MemberNotFound
                : actor.Role != CreditTeamRole.Owner ? CreditTeamError.NotAllowed
                : target.Role == CreditTeamRole.Owner && role != CreditTeamRole.Owner && await rows.CountOwnersAsync(teamId, ct).ConfigureAwait(false) == 1
                    ? CreditTeamError.LastOwner
                : CreditTeamError.None;
            if (error == CreditTeamError.None)
            {
                await SetRoleAsync(teamId, userId, role, ct).ConfigureAwait(false);
            }

            return error;
        }, userId, cancellationToken);

    public Task<CreditTeamResult> SetLimitAsync(string teamId, string actorId, string userId, long? limit, CancellationToken cancellationToken) =>
        ChangeAsync(teamId, actorId, "limit", async (team, actor, ct) =>
        {
            var target = await rows.FindMemberAsync(teamId, userId, ct).ConfigureAwait(false);
            if (target is not { RemovedAt: null })
            {
                return CreditTeamError.MemberNotFound;
            }

            if (!CreditTeamRights.CanManage(actor.Role, target.Role))
            {
                return CreditTeamError.NotAllowed;
            }

            var now = time.GetUtcNow().UtcDateTime;
            await Member(teamId, userId).ExecuteUpdateAsync(s => s.SetProperty(m => m.SpendLimit, limit).SetProperty(m => m.UpdatedAt, now), ct).ConfigureAwait(false);
            return CreditTeamError.None;
        }, userId, cancellationToken);

    public Task<CreditTeamResult> SetDefaultLimitAsync(string teamId, string actorId, long? limit, CancellationToken cancellationToken) =>
        ChangeAsync(teamId, actorId, "default limit", async (team, actor, ct) =>
        {
            if (actor.Role != CreditTeamRole.Owner)
            {
                return CreditTeamError.NotAllowed;
            }

            var now = time.GetUtcNow().UtcDateTime;
            await Db.Set<CreditTeamRow>().Where(t => t.Id == teamId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.DefaultMemberLimit, limit).SetProperty(t => t.UpdatedAt, now), ct).ConfigureAwait(false);
            return CreditTeamError.None;
        }, member: null, cancellationToken);

    public Task<CreditTeamResult> TransferOwnershipAsync(string teamId, string actorId, string newOwnerId, CancellationToken cancellationToken) =>
        ChangeAsync(teamId, actorId, "ownership", async (team, actor, ct) =>
        {
            var target = await rows.FindMemberAsync(teamId, newOwnerId, ct).ConfigureAwait(false);
            if (target is not { RemovedAt: null })
            {
                return CreditTeamError.MemberNotFound;
            }

            if (actor.Role != CreditTeamRole.Owner)
            {
                return CreditTeamError.NotAllowed;
            }

            if (newOwnerId != actorId)
            {
                await SetRoleAsync(teamId, newOwnerId, CreditTeamRole.Owner, ct).ConfigureAwait(false);
                await SetRoleAsync(teamId, actorId, CreditTeamRole.Admin, ct).ConfigureAwait(false);
            }

            return CreditTeamError.None;
        }, newOwnerId, cancellationToken);

    private IQueryable<CreditTeamMemberRow> Member(string teamId, string userId) =>
        Db.Set<CreditTeamMemberRow>().Where(m => m.TeamId == teamId && m.UserId == userId);

    private Task<int> SetRoleAsync(string teamId, string userId, CreditTeamRole role, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return Member(teamId, userId).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, role).SetProperty(m => m.UpdatedAt, now), cancellationToken);
    }

    /// <summary>One change: lock the team, check it is active and the actor a member, apply, then read back the team and the member.</summary>
    private Task<CreditTeamResult> ChangeAsync(string teamId, string actorId, string change,
        Func<CreditTeamRow, CreditTeamMemberRow, CancellationToken, Task<CreditTeamError>> apply, string? member, CancellationToken cancellationToken) =>
        CreditTransactions.RunAsync(Db, async ct =>
        {
            var team = await rows.LockAsync(teamId, ct).ConfigureAwait(false);
            // Stryker disable once Conditional : saves a query; with no team the answer is TeamNotFound whatever the member read finds (and a member row needs its team)
            var actor = team is null ? null : await rows.FindMemberAsync(teamId, actorId, ct).ConfigureAwait(false);
            var error = team is null ? CreditTeamError.TeamNotFound
                : team.Status == CreditTeamStatus.Frozen ? CreditTeamError.TeamFrozen
                : actor is not { RemovedAt: null } ? CreditTeamError.NotMember
                : await apply(team, actor, ct).ConfigureAwait(false);
            if (error != CreditTeamError.None)
            {
                return Refused(teamId, change, actorId, error, team);
            }

            team = await rows.FindAsync(teamId, ct).ConfigureAwait(false);
            // Stryker disable once Conditional : saves a query; no member row has a null user id, so the read would find none: Member stays null
            var row = member is null ? null : await rows.FindMemberAsync(teamId, member, ct).ConfigureAwait(false);
            return Done(team!, row is { RemovedAt: null } ? row : null, change, member ?? actorId, actorId);
        }, cancellationToken);

    private CreditTeamResult Done(CreditTeamRow team, CreditTeamMemberRow? member, string change, string userId, string? actorId = null)
    {
        CreditTeamLog.Changed(logger, team.Id, change, userId, actorId ?? userId);
        return new CreditTeamResult { Error = CreditTeamError.None, Team = rows.Show(team), Member = member is null ? null : rows.Show(member, team) };
    }

    private CreditTeamResult Refused(string teamId, string change, string actorId, CreditTeamError error, CreditTeamRow? team)
    {
        CreditTeamLog.Refused(logger, teamId, change, actorId, error);
        return new CreditTeamResult { Error = error, Team = team is null ? null : rows.Show(team) };
    }
}
