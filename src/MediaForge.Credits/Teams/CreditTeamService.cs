using MediaForge.Credits.Purchases;

namespace MediaForge.Credits.Teams;

/// <summary>
/// <see cref="ICreditTeamService"/> on EF Core: the switch and the arguments here, the changes in
/// <see cref="CreditTeamCommands"/>, the reads on <see cref="CreditTeamRows"/>, the team's balance on its wallet
/// account (<see cref="CreditWalletAccounts"/>), purchases through <see cref="CreditPurchaseService"/>.
/// </summary>
internal sealed class CreditTeamService(
    CreditTeamRows rows,
    CreditTeamCommands commands,
    CreditAccountReader accounts,
    CreditHistory history,
    CreditPurchaseService purchases,
    IOptions<CreditsOptions> options,
    ILogger<CreditTeamService> logger) : ICreditTeamService
{
    private bool Enabled => options.Value.Teams.Enabled;

    public Task<CreditTeamResult> CreateTeamAsync(string teamId, string name, string ownerId, CancellationToken cancellationToken = default)
    {
        (teamId, name, ownerId) = (CreditWallet.ValidTeamId(teamId), CreditTeamRows.Name(name), CreditArguments.UserId(ownerId));
        return Enabled ? commands.CreateAsync(teamId, name, ownerId, cancellationToken) : Disabled();
    }

    public Task<CreditTeamResult> AddMemberAsync(string teamId, string actorId, string userId, CreditTeamRole role = CreditTeamRole.Member, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, userId);
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Not a team role.");
        }

        return Enabled ? commands.AddAsync(teamId, actorId, userId, role, cancellationToken) : Disabled();
    }

    public Task<CreditTeamResult> RemoveMemberAsync(string teamId, string actorId, string userId, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, userId);
        return Enabled ? commands.RemoveAsync(teamId, actorId, userId, cancellationToken) : Disabled();
    }

    public Task<CreditTeamResult> ChangeRoleAsync(string teamId, string actorId, string userId, CreditTeamRole role, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, userId);
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Not a team role.");
        }

        return Enabled ? commands.ChangeRoleAsync(teamId, actorId, userId, role, cancellationToken) : Disabled();
    }

    public Task<CreditTeamResult> SetMemberLimitAsync(string teamId, string actorId, string userId, long? limit, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, userId);
        CreditTeamRows.Limit(limit);
        return Enabled ? commands.SetLimitAsync(teamId, actorId, userId, limit, cancellationToken) : Disabled();
    }

    public Task<CreditTeamResult> SetDefaultMemberLimitAsync(string teamId, string actorId, long? limit, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, actorId);
        CreditTeamRows.Limit(limit);
        return Enabled ? commands.SetDefaultLimitAsync(teamId, actorId, limit, cancellationToken) : Disabled();
    }

    public Task<CreditTeamResult> TransferOwnershipAsync(string teamId, string actorId, string newOwnerId, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, newOwnerId);
        return Enabled ? commands.TransferOwnershipAsync(teamId, actorId, newOwnerId, cancellationToken) : Disabled();
    }

    public async Task<CreditTeam?> GetTeamAsync(string teamId, CancellationToken cancellationToken = default)
    {
        CreditWallet.ValidTeamId(teamId);
        EnsureEnabled();
        return await rows.FindAsync(teamId, cancellationToken).ConfigureAwait(false) is { } team ? rows.Show(team) : null;
    }

    public async Task<IReadOnlyList<CreditTeamMembership>> GetTeamsAsync(string userId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        EnsureEnabled();
        return await ShowAsync(MembershipsOf(userId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<CreditPage<CreditTeamMembership>> GetTeamsPageAsync(string userId, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        CreditArguments.Page(page, pageSize);
        EnsureEnabled();
        var memberships = MembershipsOf(userId);
        return new CreditPage<CreditTeamMembership>
        {
            Items = await ShowAsync(memberships.Skip((page - 1) * pageSize).Take(pageSize), cancellationToken).ConfigureAwait(false),
            Page = page,
            PageSize = pageSize,
            TotalCount = await memberships.LongCountAsync(cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>The user's active memberships with their teams, ordered by team id.</summary>
    private IQueryable<JoinedMembership> MembershipsOf(string userId) =>
        rows.Db.Set<CreditTeamMemberRow>().AsNoTracking().Where(m => m.UserId == userId && m.RemovedAt == null)
            .Join(rows.Db.Set<CreditTeamRow>().AsNoTracking(), m => m.TeamId, t => t.Id, (m, t) => new JoinedMembership { Role = m.Role, Team = t })
            .OrderBy(x => x.Team.Id);

    private async Task<IReadOnlyList<CreditTeamMembership>> ShowAsync(IQueryable<JoinedMembership> memberships, CancellationToken cancellationToken) =>
        [.. (await memberships.ToListAsync(cancellationToken).ConfigureAwait(false)).Select(x => new CreditTeamMembership { Team = rows.Show(x.Team), Role = x.Role })];

    public async Task<CreditTeamMemberList> GetMembersAsync(string teamId, string actorId, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, actorId);
        EnsureEnabled();
        var team = await rows.FindAsync(teamId, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Conditional : saves a query; with no team the answer is TeamNotFound whatever the member read finds (and a member row needs its team)
        var actor = team is null ? null : await rows.FindMemberAsync(teamId, actorId, cancellationToken).ConfigureAwait(false);
        if (team is null || actor is not { RemovedAt: null })
        {
            return new CreditTeamMemberList { Error = team is null ? CreditTeamError.TeamNotFound : CreditTeamError.NotMember };
        }

        var members = CreditTeamRights.SeesEveryone(actor.Role)
            ? await rows.ActiveMembers(teamId).OrderBy(m => m.UserId).ToListAsync(cancellationToken).ConfigureAwait(false)
            : [actor];
        return new CreditTeamMemberList { Error = CreditTeamError.None, Members = [.. members.Select(m => rows.Show(m, team))] };
    }

    public async Task<CreditBalance?> GetBalanceAsync(string teamId, CancellationToken cancellationToken = default)
    {
        CreditWallet.ValidTeamId(teamId);
        EnsureEnabled();
        if (await rows.FindAsync(teamId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var account = CreditWalletAccounts.TeamAccount(teamId);
        var state = await accounts.ReadAsync(account, cancellationToken).ConfigureAwait(false);
        return new CreditBalance { UserId = account, Balance = state.Balance, Available = state.Available, IsUnlimited = false, NextExpiration = state.NextExpiration,
            Categories = state.Categories };
    }

    public async Task<CreditPage<CreditLedgerEntry>?> GetTransactionsAsync(string teamId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        CreditWallet.ValidTeamId(teamId);
        CreditArguments.Page(page, pageSize);
        EnsureEnabled();
        return await rows.FindAsync(teamId, cancellationToken).ConfigureAwait(false) is null
            ? null
            : await history.GetAccountTransactionsAsync(CreditWalletAccounts.TeamAccount(teamId), page, pageSize, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CreditTeamPurchaseResult> StartPurchaseAsync(string teamId, string actorId, string packageId, string provider, CancellationToken cancellationToken = default)
    {
        Arguments(teamId, actorId, actorId);
        ArgumentException.ThrowIfNullOrWhiteSpace(packageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        if (!Enabled)
        {
            return new CreditTeamPurchaseResult { Error = CreditTeamError.TeamsDisabled };
        }

        return await CreditTransactions.RunAsync(rows.Db, async ct =>
        {
            var team = await rows.LockAsync(teamId, ct).ConfigureAwait(false);
            // Stryker disable once Conditional : saves a query; with no team the answer is TeamNotFound whatever the member read finds (and a member row needs its team)
            var actor = team is null ? null : await rows.FindMemberAsync(teamId, actorId, ct).ConfigureAwait(false);
            var error = team is null ? CreditTeamError.TeamNotFound
                : team.Status == CreditTeamStatus.Frozen ? CreditTeamError.TeamFrozen
                : actor is not { RemovedAt: null } ? CreditTeamError.NotMember
                : !CreditTeamRights.CanBuy(actor.Role) ? CreditTeamError.NotAllowed
                : CreditTeamError.None;
            if (error != CreditTeamError.None)
            {
                CreditTeamLog.Refused(logger, teamId, "purchase", actorId, error);
                return new CreditTeamPurchaseResult { Error = error };
            }

            var purchase = await purchases.StartAsync(CreditWalletAccounts.TeamAccount(teamId), actorId, isGift: false, packageId, provider, ct).ConfigureAwait(false);
            CreditTeamLog.PurchaseStarted(logger, teamId, purchase.Id, purchase.PackageId, actorId);
            return new CreditTeamPurchaseResult { Error = CreditTeamError.None, Purchase = purchase };
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void Arguments(string teamId, string actorId, string userId,
        [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(userId))] string? userParameter = null)
    {
        CreditWallet.ValidTeamId(teamId);
        CreditArguments.UserId(actorId);
        CreditArguments.UserId(userId, userParameter);
    }

    private static Task<CreditTeamResult> Disabled() => Task.FromResult(new CreditTeamResult { Error = CreditTeamError.TeamsDisabled });

    private void EnsureEnabled()
    {
        if (!Enabled)
        {
            throw new InvalidOperationException("Teams are off: set MediaForge:Credits:Teams:Enabled (CreditsOptions.Teams.Enabled) to true.");
        }
    }

    /// <summary>A membership row joined with its team, as queried.</summary>
    private sealed class JoinedMembership
    {
        public CreditTeamRole Role { get; init; }

        public required CreditTeamRow Team { get; init; }
    }
}
