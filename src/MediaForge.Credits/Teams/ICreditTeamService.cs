namespace MediaForge.Credits;

/// <summary>
/// Teams that share a wallet: creation, members and their roles and limits, ownership, the team's balance, and buying
/// credits for the team. Every command names the acting user, whose rights are checked: an owner manages everyone, an
/// admin manages the members whose role is <see cref="CreditTeamRole.Member"/>, and anyone may leave. A refusal is a
/// result value; a malformed argument throws <see cref="ArgumentException"/>. Changes to one team are serialized (its
/// row is locked first), so concurrent changes never leave it without an owner.
/// </summary>
public interface ICreditTeamService
{
    /// <summary>Creates a team whose only member, its owner, is <paramref name="ownerId"/>, and the team's wallet (empty).</summary>
    /// <param name="teamId">The team id (see <see cref="CreditWallet.Team"/> for its form).</param>
    /// <param name="name">The team's name: 1 to 200 characters.</param>
    /// <param name="ownerId">The user who creates it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The team, or <see cref="CreditTeamError.TeamExists"/>.</returns>
    Task<CreditTeamResult> CreateTeamAsync(string teamId, string name, string ownerId, CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="userId"/> with <paramref name="role"/> (an admin adds members only; nobody adds an owner: use <see cref="TransferOwnershipAsync"/> or <see cref="ChangeRoleAsync"/>).</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The user who asks.</param>
    /// <param name="userId">The user to add.</param>
    /// <param name="role">The new member's role (<see cref="CreditTeamRole.Member"/> or <see cref="CreditTeamRole.Admin"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new member, or why not.</returns>
    Task<CreditTeamResult> AddMemberAsync(string teamId, string actorId, string userId, CreditTeamRole role = CreditTeamRole.Member, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="userId"/> from the team (<paramref name="actorId"/> may be the same user: leaving). Their spending history stays.</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The user who asks.</param>
    /// <param name="userId">The member to remove.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the member was removed, or why not (<see cref="CreditTeamError.LastOwner"/>...).</returns>
    Task<CreditTeamResult> RemoveMemberAsync(string teamId, string actorId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Changes a member's role (owners only; an owner may make another owner, and step down while another owner remains).</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The user who asks.</param>
    /// <param name="userId">The member.</param>
    /// <param name="role">The new role.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The member after the change, or why not.</returns>
    Task<CreditTeamResult> ChangeRoleAsync(string teamId, string actorId, string userId, CreditTeamRole role, CancellationToken cancellationToken = default);

    /// <summary>Sets a member's own spending limit per period (an owner for anyone, an admin for members whose role is <see cref="CreditTeamRole.Member"/>).</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The user who asks.</param>
    /// <param name="userId">The member.</param>
    /// <param name="limit">Credits per period, 0 to <see cref="CreditLimits.MaxAmount"/>; <see langword="null"/>: the team's default.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The member after the change, or why not.</returns>
    Task<CreditTeamResult> SetMemberLimitAsync(string teamId, string actorId, string userId, long? limit, CancellationToken cancellationToken = default);

    /// <summary>Sets the limit per period of members without their own (owners only).</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The user who asks.</param>
    /// <param name="limit">Credits per period, 0 to <see cref="CreditLimits.MaxAmount"/>; <see langword="null"/>: none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The team after the change, or why not.</returns>
    Task<CreditTeamResult> SetDefaultMemberLimitAsync(string teamId, string actorId, long? limit, CancellationToken cancellationToken = default);

    /// <summary>Makes the member <paramref name="newOwnerId"/> an owner and the acting owner an admin, in one step.</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The owner who hands ownership on.</param>
    /// <param name="newOwnerId">A member of the team.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new owner, or why not.</returns>
    Task<CreditTeamResult> TransferOwnershipAsync(string teamId, string actorId, string newOwnerId, CancellationToken cancellationToken = default);

    /// <summary>The team, or <see langword="null"/> when there is none with that id.</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The team.</returns>
    /// <exception cref="InvalidOperationException">Teams are off.</exception>
    Task<CreditTeam?> GetTeamAsync(string teamId, CancellationToken cancellationToken = default);

    /// <summary>The teams <paramref name="userId"/> belongs to, with their role, ordered by team id.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The memberships.</returns>
    /// <exception cref="InvalidOperationException">Teams are off.</exception>
    Task<IReadOnlyList<CreditTeamMembership>> GetTeamsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>One page of the teams <paramref name="userId"/> belongs to, with their role, ordered by team id.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="page">The page, from 1.</param>
    /// <param name="pageSize">Teams per page, 1 to 500.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page and the number of teams over all pages.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A page or page size out of bounds.</exception>
    /// <exception cref="InvalidOperationException">Teams are off.</exception>
    Task<CreditPage<CreditTeamMembership>> GetTeamsPageAsync(string userId, int page, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>The members with their spending this period and limits: all of them for an owner or admin, only themselves for a member.</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The user who asks.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The members, or why not.</returns>
    /// <exception cref="InvalidOperationException">Teams are off.</exception>
    Task<CreditTeamMemberList> GetMembersAsync(string teamId, string actorId, CancellationToken cancellationToken = default);

    /// <summary>The team wallet's balance, or <see langword="null"/> when there is no such team. Callers check the asker's membership first.</summary>
    /// <param name="teamId">The team.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The balance (<see cref="CreditBalance.UserId"/> is the wallet's account id).</returns>
    /// <exception cref="InvalidOperationException">Teams are off.</exception>
    Task<CreditBalance?> GetBalanceAsync(string teamId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The team wallet's ledger, newest first, page by page (as <see cref="ICreditService.GetTransactionsAsync"/> for a
    /// user), or <see langword="null"/> when there is no such team. Callers check the asker's rights first.
    /// </summary>
    /// <param name="teamId">The team.</param>
    /// <param name="page">The page, from 1.</param>
    /// <param name="pageSize">Rows per page, 1 to 500.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page, or <see langword="null"/>.</returns>
    /// <exception cref="InvalidOperationException">Teams are off.</exception>
    Task<CreditPage<CreditLedgerEntry>?> GetTransactionsAsync(string teamId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a pending purchase of a paid package for the team's wallet, started by an owner or admin of an active team
    /// (recorded on the purchase as <see cref="CreditPurchaseEntry.PurchasedBy"/>). It then goes through
    /// <see cref="ICreditPurchaseService"/> like any purchase: the fulfilment credits the team's wallet, a refund or lost
    /// dispute claws back from it.
    /// </summary>
    /// <param name="teamId">The team.</param>
    /// <param name="actorId">The owner or admin who buys.</param>
    /// <param name="packageId">The package (case-insensitive).</param>
    /// <param name="provider">The payment provider, for example <c>stripe</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The pending purchase, or why not.</returns>
    /// <exception cref="UnknownCreditPackageException">No active paid package has that id.</exception>
    /// <exception cref="CreditPackageLimitException">The package is once per buyer and the team has it already.</exception>
    Task<CreditTeamPurchaseResult> StartPurchaseAsync(string teamId, string actorId, string packageId, string provider, CancellationToken cancellationToken = default);
}
