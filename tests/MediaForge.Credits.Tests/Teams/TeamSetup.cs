using MediaForge.Credits.Entities;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Teams;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Teams;

/// <summary>Teams on one test database: services with teams on, a team with its owner, members, reads straight from the tables.</summary>
public sealed class TeamSetup(CreditsDatabase database, TimeProvider? time = null, Action<CreditsOptions>? configure = null,
    Action<DbContextOptionsBuilder>? configureContext = null, Action<IServiceCollection>? configureServices = null)
{
    public ServiceProvider Services { get; } = database.BuildServices(database.ConnectionString, o =>
    {
        o.Teams.Enabled = true;
        configure?.Invoke(o);
    }, time, configureContext, configureServices);

    public CreditsDatabase Database => database;

    public static string NewUser(string name) => $"user_{name}_{Guid.NewGuid():N}";

    public static string NewTeamId() => "org_" + Guid.NewGuid().ToString("N");

    public async Task<T> With<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<T> Teams<T>(Func<ICreditTeamService, Task<T>> action) => With(action);

    public Task<T> Purchases<T>(Func<ICreditPurchaseService, Task<T>> action) => With(action);

    /// <summary>A new team and its owner.</summary>
    public async Task<(string TeamId, string Owner)> TeamAsync()
    {
        var (teamId, owner) = (NewTeamId(), NewUser("owner"));
        Assert.True((await Teams(t => t.CreateTeamAsync(teamId, "Render crew", owner))).Success);
        return (teamId, owner);
    }

    /// <summary>A new member of <paramref name="teamId"/>, added by <paramref name="owner"/>.</summary>
    public async Task<string> MemberAsync(string teamId, string owner, CreditTeamRole role = CreditTeamRole.Member)
    {
        var member = NewUser(role.ToString().ToLowerInvariant());
        Assert.Equal(CreditTeamError.None, (await Teams(t => t.AddMemberAsync(teamId, owner, member, role))).Error);
        return member;
    }

    /// <summary>Active members and their roles, read from the table (removed ones left out), ordered by user id.</summary>
    public async Task<List<(string UserId, CreditTeamRole Role)>> RolesAsync(string teamId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var rows = await db.Set<CreditTeamMemberRow>().AsNoTracking().Where(m => m.TeamId == teamId && m.RemovedAt == null)
            .OrderBy(m => m.UserId).Select(m => new { m.UserId, m.Role }).ToListAsync();
        return [.. rows.Select(r => (r.UserId, r.Role))];
    }

    public async Task WithContextAsync(Func<CreditsDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    public Task<T> Credits<T>(Func<ICreditService, Task<T>> action) => With(action);

    public Task<T> Holds<T>(Func<ICreditReservationService, Task<T>> action) => With(action);

    /// <summary>Spends one use of <paramref name="feature"/>/<paramref name="model"/> from the team's wallet as <paramref name="member"/>.</summary>
    public Task<CreditDeductionResult> SpendAsync(string teamId, string member, string feature = "image-generation", string model = "default", string? key = null) =>
        Credits(c => c.DeductCreditsAsync(member, feature, model, idempotencyKey: key, wallet: CreditWallet.Team(teamId)));

    /// <summary>
    /// <paramref name="first"/>'s spend, held at its wallet debit by <paramref name="probe"/> while the others queue one
    /// after the other (so the batch's order is theirs), each with its own idempotency key when <paramref name="keyed"/>,
    /// then released: the results in that order.
    /// </summary>
    internal async Task<CreditDeductionResult[]> RunBatchAsync(string teamId, TeamTransactionProbe probe, string first, IReadOnlyList<string> queued,
        bool keyed = false)
    {
        var patience = TimeSpan.FromSeconds(30);
        var tasks = new List<Task<CreditDeductionResult>> { Task.Run(() => SpendAsync(teamId, first)) };
        await probe.HeldAsync();
        tasks.AddRange(await QueueSpendsAsync(teamId, queued, keyed));
        probe.Release();
        return await Task.WhenAll(tasks).WaitAsync(patience);
    }

    /// <summary>
    /// Spends of <paramref name="members"/> started one after the other behind a held batch, each once the one before has
    /// queued (so the batch's order is theirs), each with its own idempotency key when <paramref name="keyed"/>.
    /// </summary>
    internal async Task<List<Task<CreditDeductionResult>>> QueueSpendsAsync(string teamId, IEnumerable<string> members, bool keyed = false)
    {
        var batcher = Services.GetRequiredService<CreditDeductionBatcher>();
        var (queued, before) = (new List<Task<CreditDeductionResult>>(), batcher.Queued);
        foreach (var member in members)
        {
            queued.Add(Task.Run(() => SpendAsync(teamId, member, key: keyed ? "spend-" + Guid.NewGuid().ToString("N") : null)));
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (batcher.Queued < before + queued.Count)
            {
                await Task.Delay(5, deadline.Token);
            }
        }

        return queued;
    }

    /// <summary>
    /// Services whose every command and transaction a new probe sees, a team with <paramref name="memberCount"/> members
    /// (shaped by <paramref name="shape"/>, if given, before the team is funded), funded with <paramref name="pool"/>,
    /// the probe armed on the team's wallet.
    /// </summary>
    internal static async Task<(TeamSetup Setup, string TeamId, List<string> Members, TeamTransactionProbe Probe)> ProbedAsync(
        CreditsDatabase database, long pool, int memberCount, Func<TeamSetup, string, string, List<string>, Task>? shape = null)
    {
        var probe = new TeamTransactionProbe();
        var setup = new TeamSetup(database, configureContext: o => o.AddInterceptors(probe, probe.Commands));
        var (teamId, owner) = await setup.TeamAsync();
        var members = new List<string>();
        for (var i = 0; i < memberCount; i++)
        {
            members.Add(await setup.MemberAsync(teamId, owner));
        }

        if (shape is not null)
        {
            await shape(setup, teamId, owner, members);
        }

        await setup.FundAsync(teamId, pool);
        probe.Arm(CreditWalletAccounts.TeamAccount(teamId));
        return (setup, teamId, members, probe);
    }

    /// <summary>Grants <paramref name="amount"/> credits to the team's wallet (as a fulfilled team purchase would), expiring at <paramref name="expiresAt"/> if given.</summary>
    public Task FundAsync(string teamId, long amount, DateTimeOffset? expiresAt = null) =>
        With<CreditTransactionResult, CreditService>(c => c.GrantAsync(CreditWalletAccounts.TeamAccount(teamId), amount, CreditTransactionType.Purchase,
            "Team pack", null, null, null, CancellationToken.None, expiresAt));

    /// <summary>Grants <paramref name="amount"/> credits to a user's own wallet.</summary>
    public Task GrantAsync(string userId, long amount) =>
        Credits(c => c.AddCreditsAsync(userId, amount, CreditTransactionType.Bonus, "Own credits"));

    /// <summary>The team wallet's balance row and the sum of its ledger.</summary>
    public async Task<(long Balance, long LedgerSum)> WalletAsync(string teamId)
    {
        var (balance, sum, _) = await database.ReadLedgerAsync(CreditWalletAccounts.TeamAccount(teamId), Services);
        return (balance, sum);
    }

    /// <summary>A user's own balance row and the sum of its ledger.</summary>
    public async Task<(long Balance, long LedgerSum)> OwnAsync(string userId)
    {
        var (balance, sum, _) = await database.ReadLedgerAsync(userId, Services);
        return (balance, sum);
    }

    /// <summary>The member's stored count for the period (0 when the row counts another period).</summary>
    public async Task<long> SpentAsync(string teamId, string member, DateTime period)
    {
        await using var scope = Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditTeamMemberRow>().AsNoTracking()
            .FirstAsync(m => m.TeamId == teamId && m.UserId == member);
        return CreditTeamPeriods.SpentIn(row, period);
    }

    /// <summary>An account's lots (credit grants) with credits left.</summary>
    public async Task<List<CreditGrant>> LotsAsync(string account)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Grants.AsNoTracking()
            .Where(g => g.UserId == account && g.Remaining > 0).ToListAsync();
    }

    /// <summary>The team wallet's usage logs as (member, credits used, unlimited).</summary>
    public async Task<List<(string? Member, long Credits, bool Unlimited)>> UsageAsync(string teamId)
    {
        await using var scope = Services.CreateAsyncScope();
        var account = CreditWalletAccounts.TeamAccount(teamId);
        var rows = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().UsageLogs.AsNoTracking().Where(u => u.UserId == account)
            .OrderBy(u => u.CreatedAt).Select(u => new { u.MemberId, u.CreditsUsed, u.IsUnlimited }).ToListAsync();
        return [.. rows.Select(r => (r.MemberId, r.CreditsUsed, r.IsUnlimited))];
    }

    /// <summary>A team whose pool has <paramref name="pool"/> credits and a member (with a limit, if given) who has none of their own.</summary>
    public async Task<(string TeamId, string Member)> FundedMemberAsync(long pool, long? limit = null)
    {
        var (teamId, owner) = await TeamAsync();
        var member = await MemberAsync(teamId, owner);
        if (limit is not null)
        {
            Assert.True((await Teams(t => t.SetMemberLimitAsync(teamId, owner, member, limit))).Success);
        }

        await FundAsync(teamId, pool);
        return (teamId, member);
    }

    /// <summary>
    /// A team whose pool has <paramref name="pool"/> credits and a member with <paramref name="own"/> of their own (and a
    /// limit, if given; the member's own credits expire at <paramref name="ownExpiresAt"/>, if given).
    /// </summary>
    public async Task<(string TeamId, string Member)> SplitTeamAsync(long pool, long own, long? limit = null, DateTimeOffset? ownExpiresAt = null)
    {
        var (teamId, member) = await FundedMemberAsync(pool, limit);
        if (ownExpiresAt is { } expiresAt)
        {
            await Credits(c => c.AddExpiringCreditsAsync(member, own, CreditTransactionType.Bonus, "Own credits", expiresAt));
        }
        else
        {
            await GrantAsync(member, own);
        }

        return (teamId, member);
    }

    /// <summary>A hold of a Veo 2 video (15 credits, or <paramref name="amount"/>) on the team's wallet for 5 minutes.</summary>
    public Task<CreditReservationResult> TeamHoldAsync(string teamId, string member, long? amount = null, string? key = null) =>
        Holds(h => h.ReserveCreditsAsync(member, "video-generation", "veo2", TimeSpan.FromMinutes(5), key, amount, wallet: CreditWallet.Team(teamId)));

    /// <summary>(balance, reserved) of the member's own account and of the pool, from the rows.</summary>
    public async Task<(long Own, long OwnHeld, long Pool, long PoolHeld)> RowsAsync(string teamId, string member)
    {
        await using var scope = Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditAccount>().AsNoTracking()
            .Where(a => a.UserId == member || a.UserId == CreditWalletAccounts.TeamAccount(teamId)).ToListAsync();
        var (own, pool) = (rows.Single(r => r.UserId == member), rows.Single(r => r.UserId != member));
        return (own.Balance, own.Reserved, pool.Balance, pool.Reserved);
    }

    /// <summary>
    /// Every charge of the team wallet's usage logs, across both wallets: for each log, the usage ledger rows that refer
    /// to it (the wallet's and the member's own) must sum to minus its credits.
    /// </summary>
    public async Task<int> UnbalancedUsageAsync(string teamId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        var account = CreditWalletAccounts.TeamAccount(teamId);
        var logs = await db.UsageLogs.AsNoTracking().Where(u => u.UserId == account).Select(u => new { u.Id, u.CreditsUsed }).ToListAsync();
        var references = logs.Select(l => l.Id.ToString()).ToList();
        var charges = await db.Transactions.AsNoTracking().Where(t => t.Type == CreditTransactionType.Usage && references.Contains(t.Reference!))
            .Select(t => new { t.Reference, t.Amount }).ToListAsync();
        return logs.Count(l => charges.Where(c => c.Reference == l.Id.ToString()).Sum(c => c.Amount) != -l.CreditsUsed);
    }
}
