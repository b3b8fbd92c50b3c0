using CsCheck;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Ledger;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The team part of the model: the user owns a team, the peer is a member. The model keeps each member's count for the
/// current limit period (1 hour), their limits, the peer's membership and the team holds. Each sequence runs under one
/// funding policy (by its length: <c>TeamOnly</c>, <c>PersonalFirst</c>, <c>TeamFirst</c>), which splits the price
/// into the pool's part and the member's own; each team spend and hold must succeed exactly when the member is active,
/// the pool's spendable credits read just before cover the pool's part, the member's own cover theirs, and the model's
/// count plus the pool's part stays within the limit (only the pool's part is counted); a team hold's count goes back when it is released or ends
/// lapsed (a release or capture past its expiry, or the sweep); after every step the stored counts equal the model's.
/// </summary>
public abstract partial class LedgerModelTests<TDatabase>
{
    /// <summary>Team operations: A packs the feature (A / 2) and the member (A % 2: 0 the owner, 1 the peer) where both are needed.</summary>
    private static (int, Gen<Op>)[] TeamOps =>
    [
        (2, Gen.Int[1, 40].Select(a => new Op(OpKind.TeamFund, a, 0))),
        (3, Gen.Int[0, 9].Select(a => new Op(OpKind.TeamSpend, a, 0))),
        (2, Gen.Select(Gen.Int[0, 9], Gen.Int[1, 60], (a, b) => new Op(OpKind.TeamHold, a, b))),
        (2, Gen.Select(Gen.Int[0, 9], Gen.Int[0, 1], (a, b) => new Op(OpKind.TeamSettle, a, b))),
        (1, Gen.Select(Gen.Int[0, 1], Gen.Int[0, 4], (a, b) => new Op(OpKind.TeamLimit, a, b))),
        (1, Gen.Const(new Op(OpKind.TeamMembership, 0, 0))),
    ];

    /// <summary>What the model knows of the team.</summary>
    private sealed class TeamModel(string teamId, string owner, string peer, CreditTeamFundingPolicy policy)
    {
        public static readonly TimeSpan Period = TimeSpan.FromHours(1);

        private readonly Dictionary<string, long?> limits = new() { [owner] = null, [peer] = null };
        private readonly Dictionary<string, (DateTime Period, long Spent)> counts = new() { [owner] = default, [peer] = default };
        private readonly List<TeamHold> holds = [];
        private bool peerActive = true;

        public string Account => CreditWalletAccounts.TeamAccount(teamId);

        public static async Task<TeamModel> StartAsync(IServiceProvider services, string owner, string peer, CreditTeamFundingPolicy policy)
        {
            var teamId = "org_" + Guid.NewGuid().ToString("N");
            await using var scope = services.CreateAsyncScope();
            var teams = scope.ServiceProvider.GetRequiredService<ICreditTeamService>();
            Assert.True((await teams.CreateTeamAsync(teamId, "Model team", owner)).Success);
            Assert.True((await teams.AddMemberAsync(teamId, owner, peer)).Success);
            return new TeamModel(teamId, owner, peer, policy);
        }

        /// <summary>The member's own part of the step's debit, if any: who, their balance after, and how much (auto top-up crossings).</summary>
        public (string Member, long After, long Debited)? PersonalDebit { get; private set; }

        public async Task RunAsync(IServiceProvider scope, FakeTimeProvider clock, Op op, string where)
        {
            PersonalDebit = null;
            var teams = scope.GetRequiredService<ICreditTeamService>();
            var now = clock.GetUtcNow();
            var member = op.A % 2 == 0 ? owner : peer;
            var (feature, model, price) = Features[(op.A / 2) % Features.Length];
            var pool = (await teams.GetBalanceAsync(teamId))!.Available;
            // The funding policy's split: the pool's part within the pool and the limit, the member's own part within their own.
            var own = Math.Max(0, (await scope.GetRequiredService<ICreditService>().GetBalanceAsync(member)).Available);
            var headroom = limits[member] is { } limit ? Math.Max(0, limit - Spent(member, now)) : long.MaxValue;
            var teamPart = policy switch
            {
                CreditTeamFundingPolicy.PersonalFirst => price - Math.Min(price, own),
                CreditTeamFundingPolicy.TeamFirst => Math.Min(price, Math.Min(headroom, pool)),
                _ => price,
            };
            var expected = Active(member) && teamPart <= pool && teamPart <= headroom && price - teamPart <= own;
            switch (op.Kind)
            {
                case OpKind.TeamFund:
                    await scope.GetRequiredService<CreditService>().GrantAsync(Account, op.A, CreditTransactionType.Purchase, "team pack", null, null, null, default);
                    break;
                case OpKind.TeamSpend:
                    var spent = await scope.GetRequiredService<ICreditService>().DeductCreditsAsync(member, feature, model, wallet: CreditWallet.Team(teamId));
                    Assert.True(spent.Success == expected, $"{where}: {policy} expected {expected} (pool {pool}, own {own}, price {price}, count {Spent(member, now)}, limit {limits[member]}), got {spent.Error}");
                    Count(member, now, spent.Success ? teamPart : 0);
                    if (spent.Success && price > teamPart)
                    {
                        PersonalDebit = (member, (await scope.GetRequiredService<ICreditService>().GetBalanceAsync(member)).Balance, price - teamPart);
                    }
                    break;
                case OpKind.TeamHold:
                    var held = await scope.GetRequiredService<ICreditReservationService>().ReserveCreditsAsync(member, feature, model, TimeSpan.FromMinutes(op.B),
                        wallet: CreditWallet.Team(teamId));
                    Assert.True(held.Success == expected, $"{where}: {policy} expected {expected} (pool {pool}, own {own}, price {price}, count {Spent(member, now)}, limit {limits[member]}), got {held.Error}");
                    if (held.Success)
                    {
                        Count(member, now, teamPart);
                        holds.Add(new TeamHold(held.ReservationId!.Value, member, teamPart, price - teamPart, PeriodOf(now), now + TimeSpan.FromMinutes(op.B)));
                    }

                    break;
                case OpKind.TeamSettle when holds.Count > 0:
                    var hold = holds[op.A % holds.Count];
                    var live = hold.Open && now < hold.ExpiresAt;
                    var reservations = scope.GetRequiredService<ICreditReservationService>();
                    var settled = op.B == 0 ? await reservations.ReleaseReservationAsync(hold.Id) : await reservations.CaptureReservationAsync(hold.Id);
                    if (op.B == 1 && live && settled.Success && !settled.IsReplay && hold.Personal > 0)
                    {
                        PersonalDebit = (hold.Member, (await scope.GetRequiredService<ICreditService>().GetBalanceAsync(hold.Member)).Balance, hold.Personal);
                    }
                    Assert.True(settled.Success == live || (settled.IsReplay && !hold.Open), $"{where}: live {live}, got {settled.Status}");
                    if ((live && op.B == 0) || (hold.Open && !live))
                    {
                        // A release gives the count back, and so does the end of a lapsed hold (expired now, or before in passing).
                        GiveBack(hold);
                    }

                    hold.Open = false;
                    break;
                case OpKind.TeamLimit when Active(member):
                    long? newLimit = op.B == 0 ? null : op.B * 5;
                    Assert.True((await teams.SetMemberLimitAsync(teamId, owner, member, newLimit)).Success, where);
                    limits[member] = newLimit;
                    break;
                case OpKind.TeamMembership:
                    var changed = peerActive ? await teams.RemoveMemberAsync(teamId, owner, peer) : await teams.AddMemberAsync(teamId, owner, peer);
                    Assert.True(changed.Success, where);
                    peerActive = !peerActive;
                    limits[peer] = null;
                    break;
            }
        }

        /// <summary>After the expiry sweep: every open team hold past its expiry has ended, its count given back.</summary>
        public void Swept(DateTimeOffset now)
        {
            foreach (var hold in holds.Where(h => h.Open && h.ExpiresAt <= now))
            {
                GiveBack(hold);
                hold.Open = false;
            }
        }

        /// <summary>The stored counts of both members equal the model's for the current period.</summary>
        public async Task AssertCountsAsync(IServiceProvider services, FakeTimeProvider clock, string where)
        {
            await using var scope = services.CreateAsyncScope();
            var rows = await scope.ServiceProvider.GetRequiredService<CreditsDbContext>().Set<CreditTeamMemberRow>().AsNoTracking()
                .Where(m => m.TeamId == teamId).ToListAsync();
            var now = clock.GetUtcNow();
            foreach (var row in rows)
            {
                var stored = CreditTeamPeriods.SpentIn(row, PeriodOf(now));
                Assert.True(stored == Spent(row.UserId, now), $"{where}: {row.UserId} counted {stored}, model {Spent(row.UserId, now)}");
            }
        }

        private static DateTime PeriodOf(DateTimeOffset now) => CreditTeamPeriods.StartOf(now, Period);

        private bool Active(string member) => member == owner || peerActive;

        private long Spent(string member, DateTimeOffset now) => counts[member].Period == PeriodOf(now) ? counts[member].Spent : 0;

        private void GiveBack(TeamHold hold)
        {
            if (counts[hold.Member].Period == hold.Period)
            {
                counts[hold.Member] = (hold.Period, Math.Max(0, counts[hold.Member].Spent - hold.Amount));
            }
        }

        private void Count(string member, DateTimeOffset now, long amount)
        {
            if (amount > 0)
            {
                counts[member] = (PeriodOf(now), Spent(member, now) + amount);
            }
        }
    }

    private sealed record TeamHold(Guid Id, string Member, long Amount, long Personal, DateTime Period, DateTimeOffset ExpiresAt)
    {
        public bool Open { get; set; } = true;
    }
}
