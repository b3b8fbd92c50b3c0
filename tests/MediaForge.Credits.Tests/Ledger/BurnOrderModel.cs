using System.Text.Json;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Ledger;

/// <summary>
/// The reference model of the burn rule for the accounts of one test sequence: it keeps each lot's remaining credits and,
/// for every debit the ledger recorded since the last check (usage, captures, transfers and gifts out, negative
/// adjustments), takes the debited credits itself: lots whose expiry has passed first (soonest first), then lowest
/// priority, soonest expiry, oldest, lot id; the credits without a lot (balance − Σ lots) are paid ones with Paid's
/// priority and no expiry, taken after the lots they tie with. Expiration rows take from the lot they name; one a renewal
/// wrote (<c>endedBy: rollover</c>) also ends its lot at that instant, and a period's allowance grant ends the earlier
/// periods' allowance lots that still hold credits (<see cref="EndEarlierAllowance"/>), even those holds cover whole, of
/// which nothing lapses and no row speaks. After every check, each lot in the database must hold and end as the model
/// says, and the balance's split must be the model's (<see cref="Categories"/>). A clawback (a negative refund row of a
/// purchase's payment) takes the purchase's own lot first, or the credits without a lot when it got none, then by the same rule.
/// </summary>
public sealed class BurnOrderModel(int paidPriority = 30)
{
    private readonly Dictionary<Guid, ModelLot> lots = [];
    private readonly HashSet<Guid> seen = [];
    private readonly Dictionary<Guid, Guid> grantLots = []; // a grant's ledger row → its lot

    /// <summary>
    /// The model's credits per category of <paramref name="account"/> whose balance row holds <paramref name="balance"/>:
    /// each lot's remainder, less what of <paramref name="lapsing"/> (credits lapsed but not recorded yet) the lapse will
    /// take from it (past-due lots, soonest first, then oldest), and the credits without a lot as paid ones.
    /// </summary>
    public Dictionary<string, long> Categories(string account, long balance, DateTime now, long lapsing = 0)
    {
        var own = lots.Values.Where(l => l.Account == account).ToList();
        var split = new Dictionary<string, long>(StringComparer.Ordinal) { ["paid"] = Math.Max(0, balance - own.Sum(l => l.Remaining)) };
        foreach (var lot in own.OrderBy(l => l.ExpiresAt > now).ThenBy(l => l.ExpiresAt).ThenBy(l => l.CreatedAt).ThenBy(l => l.Id))
        {
            var lapsed = lot.ExpiresAt <= now ? Math.Min(lapsing, lot.Remaining) : 0;
            lapsing -= lapsed;
            split[lot.Category] = split.GetValueOrDefault(lot.Category) + lot.Remaining - lapsed;
        }

        return split;
    }

    /// <summary>Applies the ledger rows of <paramref name="accounts"/> written since the last check, then compares every lot.</summary>
    public async Task CheckAsync(IServiceProvider services, string where, params string[] accounts)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
        foreach (var account in accounts)
        {
            var rows = await db.Transactions.AsNoTracking().Where(t => t.UserId == account).ToListAsync();
            var dbLots = await db.Grants.AsNoTracking().Where(g => g.UserId == account).ToListAsync();
            var purchases = await db.Purchases.AsNoTracking().Where(p => p.UserId == account && p.ProviderPaymentId != null)
                .ToDictionaryAsync(p => p.ProviderPaymentId!, p => p.TransactionId);
            // One operation per step and account: lapses are written before the debit that found them.
            var pending = rows.Where(r => seen.Add(r.Id)).OrderBy(r => r.CreatedAt).ThenBy(r => r.Type == CreditTransactionType.Expiration ? 0 : 1).ToList();
            var applied = new HashSet<Guid>();
            foreach (var row in pending.Where(r => applied.Add(r.Id)))
            {
                Apply(account, row, dbLots, purchases, where, pending, applied);
            }

            foreach (var lot in dbLots)
            {
                Assert.True(lots.TryGetValue(lot.Id, out var model), $"{where}: lot {lot.Id} of {account} unknown to the model");
                Assert.True(model.Remaining == lot.Remaining,
                    $"{where}: lot {lot.Category}/{lot.Priority}/{lot.ExpiresAt:O} of {account} holds {lot.Remaining}, the burn rule leaves {model.Remaining}");
                Assert.True(model.ExpiresAt == lot.ExpiresAt, $"{where}: lot {lot.Category}/{lot.Priority} of {account} ends {lot.ExpiresAt:O}, the model says {model.ExpiresAt:O}");
            }

            // The balance's split: the parts add up to the balance, and are the model's. Credits past their expiry but not
            // lapsed yet are not in the balance as far as the spendable credits allow (holds past their expiry hold
            // nothing); what holds still cover stays in its lot and category, as the lapse will leave it.
            var balance = await scope.ServiceProvider.GetRequiredService<MediaForge.Credits.Ledger.CreditService>().GetAccountBalanceAsync(account, default);
            Assert.True(balance.Categories.Values.Sum() == balance.Balance, $"{where}: the split of {account} sums to {balance.Categories.Values.Sum()}, not {balance.Balance}");
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            var stored = await db.Accounts.AsNoTracking().Where(a => a.UserId == account).Select(a => new { a.Balance, a.Reserved }).SingleOrDefaultAsync();
            var heldPastExpiry = await db.Reservations.AsNoTracking().Where(r => r.UserId == account && r.Status == ReservationStatus.Active && r.ExpiresAt <= now)
                .SumAsync(r => r.Amount);
            var pastDue = lots.Values.Where(l => l.Account == account && l.ExpiresAt <= now).Sum(l => l.Remaining);
            var lapsing = stored is null ? 0 : Math.Min(pastDue, Math.Max(0, stored.Balance - (stored.Reserved - heldPastExpiry)));
            Assert.True(stored is null || balance.Balance == stored.Balance - lapsing,
                $"{where}: balance of {account} {balance.Balance}, the row holds {stored?.Balance} of which {lapsing} lapsed unrecorded");
            var expected = Categories(account, stored?.Balance ?? 0, now, lapsing).Where(c => c.Value != 0).OrderBy(c => c.Key, StringComparer.Ordinal);
            var actual = balance.Categories.Where(c => c.Value != 0).OrderBy(c => c.Key, StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(actual), $"{where}: split of {account} {string.Join(",", actual)} != model {string.Join(",", expected)}");
        }
    }

    private void Apply(string account, CreditTransaction row, List<CreditGrant> dbLots, Dictionary<string, Guid?> purchases, string where,
        List<CreditTransaction> pending, HashSet<Guid> applied)
    {
        if (row.Amount > 0)
        {
            if (dbLots.FirstOrDefault(g => g.TransactionId == row.Id) is { } lot)
            {
                Assert.True(lot.Amount == row.Amount, $"{where}: lot of {lot.Amount} for a grant of {row.Amount}");
                grantLots[row.Id] = lot.Id;
                lots[lot.Id] = new ModelLot(lot.Id, account, lot.Category, lot.Priority, lot.ExpiresAt, lot.CreatedAt) { Remaining = lot.Amount, Period = AllowancePeriod(row) };
                if (lots[lot.Id].Period is { } period && !row.IdempotencyKey!.Contains(":carry:", StringComparison.Ordinal))
                {
                    EndEarlierAllowance(account, period, row.CreatedAt);
                }
            }

            return;
        }

        if (row.Type == CreditTransactionType.Expiration)
        {
            using var metadata = JsonDocument.Parse(row.Metadata!);
            var lotId = metadata.RootElement.GetProperty("lotId").GetGuid();
            // A renewal ends the earlier allowance lots early, after granting again what rolls over; a period paid late
            // is granted and rolled into the later one in the same step, so its grant comes first.
            var rolledOver = metadata.RootElement.TryGetProperty("endedBy", out var endedBy) && endedBy.GetString() == "rollover";
            if (rolledOver && !lots.ContainsKey(lotId) && pending.FirstOrDefault(r => r.Id == dbLots.Single(g => g.Id == lotId).TransactionId) is { } grant
                && applied.Add(grant.Id))
            {
                Apply(account, grant, dbLots, purchases, where, pending, applied);
            }

            var lapsed = lots[lotId];
            Assert.True(lapsed.ExpiresAt <= row.CreatedAt || (rolledOver && lapsed.Category == CreditCategory.Allowance.Name),
                $"{where}: a {lapsed.Category} lot expiring {lapsed.ExpiresAt:O} lapsed at {row.CreatedAt:O}");
            if (rolledOver && lapsed.ExpiresAt > row.CreatedAt)
            {
                // The renewal ended the lot now: what a hold kept in it is past due from here on, as in any lapse.
                lapsed.ExpiresAt = row.CreatedAt;
            }

            lapsed.Remaining += row.Amount;
            return;
        }

        var clawedBackGrant = Guid.Empty;
        if (row.Type == CreditTransactionType.Refund)
        {
            Assert.True(row.Reference is { } payment && purchases.TryGetValue(payment, out var grant) && grant is not null,
                $"{where}: a clawback of {row.Amount} names no purchase of {account}");
            clawedBackGrant = purchases[row.Reference!]!.Value;
        }

        Take(account, -row.Amount, row.BalanceAfter - row.Amount, row.CreatedAt, clawedBackGrant);
    }

    /// <summary>The subscription and period end (the key's stamp) of a subscription allowance grant; null for any other row.</summary>
    private static (string Subscription, long End)? AllowancePeriod(CreditTransaction row) =>
        row.Type == CreditTransactionType.Subscription && row.IdempotencyKey?.Split(':') is ["mf", "subscription", var subscription, var end, ..]
            ? (subscription, long.Parse(end, System.Globalization.CultureInfo.InvariantCulture))
            : null;

    /// <summary>
    /// A period's allowance granted at <paramref name="now"/> renews the subscription: the allowance lots of every period
    /// before the latest one granted so far that still hold credits end now, as the renewal rolls them over. What of them
    /// lapses is in the expiration rows; a lot that holds cover whole lapses nothing and ends all the same.
    /// </summary>
    private void EndEarlierAllowance(string account, (string Subscription, long End) granted, DateTime now)
    {
        // The latest period granted: the latest period end among the subscription's lots (a carried lot's is a granted period's).
        var latest = lots.Values.Where(l => l.Period?.Subscription == granted.Subscription).Max(l => l.Period!.Value.End);
        foreach (var lot in lots.Values.Where(l => l.Account == account && l.Period is { } p && p.Subscription == granted.Subscription && p.End < latest
                     && l.Remaining > 0 && l.ExpiresAt > now))
        {
            lot.ExpiresAt = now;
        }
    }

    /// <summary>Takes <paramref name="amount"/> by the burn rule; a clawback of grant <paramref name="clawedBackGrant"/> takes its own credits first.</summary>
    private void Take(string account, long amount, long balanceBefore, DateTime now, Guid clawedBackGrant = default)
    {
        var own = lots.Values.Where(l => l.Account == account && l.Remaining > 0).ToList();
        var rest = new ModelLot(Guid.Empty, account, "paid", paidPriority, DateTime.MaxValue, DateTime.MaxValue) { Remaining = Math.Max(0, balanceBefore - own.Sum(l => l.Remaining)) };
        var lapsed = own.Where(l => l.ExpiresAt <= now).OrderBy(l => l.ExpiresAt).ThenBy(l => l.CreatedAt).ThenBy(l => l.Id);
        var live = own.Where(l => l.ExpiresAt > now).Append(rest)
            .OrderBy(l => l.Priority).ThenBy(l => l.ExpiresAt).ThenBy(l => l.CreatedAt).ThenBy(l => l.Id);
        var order = lapsed.Concat(live).ToList();
        if (clawedBackGrant != Guid.Empty)
        {
            var first = grantLots.TryGetValue(clawedBackGrant, out var lotId) ? order.Where(l => l.Id == lotId).ToList() : [rest];
            order = [.. first, .. order.Except(first)];
        }

        foreach (var lot in order)
        {
            var take = Math.Min(amount, lot.Remaining);
            lot.Remaining -= take;
            amount -= take;
        }
    }

    private sealed record ModelLot(Guid Id, string Account, string Category, int Priority, DateTime ExpiresAt, DateTime CreatedAt)
    {
        /// <summary>When the lot ends: its expiry, or the instant a renewal ended it early.</summary>
        public DateTime ExpiresAt { get; set; } = ExpiresAt;

        public long Remaining { get; set; }

        /// <summary>The subscription and period end of an allowance lot a period's grant made; null for any other lot.</summary>
        public (string Subscription, long End)? Period { get; init; }
    }
}
