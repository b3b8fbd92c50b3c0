using System.Collections.ObjectModel;

namespace MediaForge.Credits.Referrals;

/// <summary>
/// <see cref="ICreditReferralService"/> on EF Core. An attach runs in one transaction: it locks the referee's balance
/// row, checks every guard, locks the referrer's row for the monthly attach cap, inserts the referral (unique on the
/// referee and on the referee's e-mail hash, so a racing attach fails, runs again and finds the winner) and grants the
/// referee's bonus with the key <c>mf:referral:bonus:{referee}</c>.
/// </summary>
internal sealed partial class CreditReferralService(
    CreditsDbContextHandle handle,
    CreditService credits,
    CreditReferralRewards rewards,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditReferralService> logger) : ICreditReferralService
{
    private readonly DbContext db = handle.Context;

    private CreditReferralOptions Options => options.Value.Referrals;

    public async Task<string> GetOrCreateCodeAsync(string userId, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(userId);
        EnsureEnabled();
        if (await FindCodeAsync(userId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        // A racing first call (same user) or, rarely, a code drawn twice fails on a unique index: the transaction runs
        // again, finds the winner's code or draws another.
        return await CreditTransactions.RunAsync(db, async ct =>
        {
            if (await FindCodeAsync(userId, ct).ConfigureAwait(false) is { } made)
            {
                return made;
            }

            await credits.EnsureAccountAsync(userId, ct).ConfigureAwait(false);
            var code = new CreditReferralCode { UserId = userId, Code = CreditReferralCodes.Create(), CreatedAt = time.GetUtcNow().UtcDateTime };
            await db.InsertDetachedAsync(code, ct).ConfigureAwait(false);
            return code.Code;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CreditReferralAttachResult> AttachReferralAsync(string refereeId, string? code, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(refereeId);
        var normalized = CreditReferralCodes.Normalize(code);
        if (!Options.Enabled || normalized is null)
        {
            return Refused(refereeId, Options.Enabled ? CreditReferralAttachOutcome.UnknownCode : CreditReferralAttachOutcome.Disabled);
        }

        var referrerId = await db.Set<CreditReferralCode>().AsNoTracking().Where(c => c.Code == normalized)
            .Where(c => db.Set<CreditUser>().Any(u => u.Id == c.UserId && u.DeletedAt == null))
            .Select(c => c.UserId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (referrerId is null || referrerId == refereeId)
        {
            return Refused(refereeId, referrerId is null ? CreditReferralAttachOutcome.UnknownCode : CreditReferralAttachOutcome.SelfReferral);
        }

        return await CreditTransactions.RunAsync(db, ct => AttachAsync(refereeId, referrerId, normalized, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<CreditReferralAttachResult> AttachAsync(string refereeId, string referrerId, string code, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await credits.EnsureAccountAsync(refereeId, cancellationToken).ConfigureAwait(false);
        await CreditReferralRewards.LockAccountAsync(db, refereeId, now, cancellationToken).ConfigureAwait(false);
        var earlier = await db.Set<CreditReferral>().AsNoTracking().Where(r => r.RefereeId == refereeId)
            .Select(r => new { r.ReferrerId, r.RefereeBonus }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (earlier is not null)
        {
            return earlier.ReferrerId == referrerId
                ? new CreditReferralAttachResult { Outcome = CreditReferralAttachOutcome.AlreadyAttached, RefereeBonus = earlier.RefereeBonus }
                : Refused(refereeId, CreditReferralAttachOutcome.AlreadyReferred);
        }

        var signedUp = await db.Set<CreditUser>().AsNoTracking().Where(u => u.Id == refereeId).Select(u => u.CreatedAt).FirstAsync(cancellationToken).ConfigureAwait(false);
        var emailHash = await rewards.EmailHashAsync(refereeId, cancellationToken).ConfigureAwait(false);
        var outcome = signedUp + Options.AttachWindow < now ? CreditReferralAttachOutcome.WindowClosed
            : emailHash is not null && emailHash == await rewards.EmailHashAsync(referrerId, cancellationToken).ConfigureAwait(false) ? CreditReferralAttachOutcome.SelfReferral
            : await db.Set<CreditReferral>().AnyAsync(r => r.RefereeId == referrerId && r.ReferrerId == refereeId, cancellationToken).ConfigureAwait(false) ? CreditReferralAttachOutcome.MutualReferral
            : emailHash is not null && await db.Set<CreditReferral>().AnyAsync(r => r.RefereeEmailHash == emailHash, cancellationToken).ConfigureAwait(false) ? CreditReferralAttachOutcome.AlreadyReferred
            : await AttachCapReachedAsync(referrerId, now, cancellationToken).ConfigureAwait(false) ? CreditReferralAttachOutcome.CapReached
            : CreditReferralAttachOutcome.Attached;
        if (outcome != CreditReferralAttachOutcome.Attached)
        {
            return Refused(refereeId, outcome);
        }

        var referral = new CreditReferral
        {
            Id = CreditAttempts.NewOperationId(time),
            RefereeId = refereeId,
            ReferrerId = referrerId,
            Code = code,
            RefereeEmailHash = emailHash,
            Status = CreditReferralStatus.Attached,
            RefereeBonus = Options.RefereeBonus,
            AttachedAt = now,
        };
        if (Options.RefereeBonus > 0)
        {
            var lifetime = options.Value.BonusCreditLifetime;
            var grant = await credits.GrantAsync(refereeId, Options.RefereeBonus, CreditTransactionType.Bonus, "Referral sign-up bonus",
                CreditArguments.Metadata(new { referralId = referral.Id }), CreditReferralCodes.BonusKey(refereeId), code, cancellationToken,
                lifetime is { } live ? time.GetUtcNow() + live : null).ConfigureAwait(false);
            referral.RefereeBonusTransactionId = grant.TransactionId;
        }

        await db.InsertDetachedAsync(referral, cancellationToken).ConfigureAwait(false);
        LogAttached(refereeId, referrerId, Options.RefereeBonus);
        return new CreditReferralAttachResult { Outcome = CreditReferralAttachOutcome.Attached, RefereeBonus = Options.RefereeBonus };
    }

    /// <summary>Whether the referrer's code brought the monthly cap of referees already (counted with the referrer's row locked).</summary>
    private async Task<bool> AttachCapReachedAsync(string referrerId, DateTime now, CancellationToken cancellationToken)
    {
        if (Options.MonthlyAttachCap is not { } cap)
        {
            return false;
        }

        await CreditReferralRewards.LockAccountAsync(db, referrerId, now, cancellationToken).ConfigureAwait(false);
        var month = CreditReferralCodes.MonthOf(now);
        return await db.Set<CreditReferral>().CountAsync(r => r.ReferrerId == referrerId && r.AttachedAt >= month && r.AttachedAt < month.AddMonths(1), cancellationToken)
            .ConfigureAwait(false) >= cap;
    }

    public async Task<CreditReferralStatus?> QualifyReferralAsync(string refereeId, string reference, CancellationToken cancellationToken = default)
    {
        CreditArguments.UserId(refereeId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reference.Length, Storage.Configurations.CreditsModelLimits.Reference, nameof(reference));
        EnsureEnabled();
        if (Options.QualifyingEvent != CreditReferralQualifyingEvent.Manual)
        {
            throw new InvalidOperationException($"Referrals qualify on {Options.QualifyingEvent}; QualifyReferralAsync needs the qualifying event Manual.");
        }

        return await CreditTransactions.RunAsync(db, async ct =>
        {
            await CreditReferralRewards.LockAccountAsync(db, refereeId, time.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
            return await rewards.QualifyAsync(refereeId, null, reference, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CreditReferralSummary> GetSummaryAsync(string userId, CancellationToken cancellationToken = default)
    {
        var code = await GetOrCreateCodeAsync(userId, cancellationToken).ConfigureAwait(false);
        var statuses = await db.Set<CreditReferral>().AsNoTracking().Where(r => r.ReferrerId == userId)
            .GroupBy(r => r.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Earned = g.Sum(r => r.Reward - r.CreditsClawedBack) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new CreditReferralSummary
        {
            Code = code,
            Referred = statuses.Sum(s => s.Count),
            Statuses = new ReadOnlyDictionary<CreditReferralStatus, int>(statuses.ToDictionary(s => s.Status, s => s.Count)),
            RewardsEarned = statuses.Sum(s => s.Earned),
        };
    }

    public async Task<CreditReferralFunnel> GetFunnelAsync(CreditAnalyticsRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (from, to) = (range.From.UtcDateTime, range.To.UtcDateTime);
        var referrals = db.Set<CreditReferral>().AsNoTracking();
        return new CreditReferralFunnel
        {
            CodesCreated = await db.Set<CreditReferralCode>().AsNoTracking().LongCountAsync(c => c.CreatedAt >= from && c.CreatedAt < to, cancellationToken).ConfigureAwait(false),
            Attached = await referrals.LongCountAsync(r => r.AttachedAt >= from && r.AttachedAt < to, cancellationToken).ConfigureAwait(false),
            Qualified = await referrals.LongCountAsync(r => r.QualifiedAt >= from && r.QualifiedAt < to, cancellationToken).ConfigureAwait(false),
            Rewarded = await referrals.LongCountAsync(r => r.RewardedAt >= from && r.RewardedAt < to, cancellationToken).ConfigureAwait(false),
            ClawedBack = await referrals.LongCountAsync(r => r.ClawedBackAt >= from && r.ClawedBackAt < to, cancellationToken).ConfigureAwait(false),
        };
    }

    private Task<string?> FindCodeAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<CreditReferralCode>().AsNoTracking().Where(c => c.UserId == userId).Select(c => c.Code).FirstOrDefaultAsync(cancellationToken);

    private void EnsureEnabled()
    {
        if (!Options.Enabled)
        {
            throw new InvalidOperationException("Referrals are off: set MediaForge:Credits:Referrals:Enabled (CreditsOptions.Referrals.Enabled) to true.");
        }
    }

    private CreditReferralAttachResult Refused(string refereeId, CreditReferralAttachOutcome outcome)
    {
        LogRefused(refereeId, outcome);
        return new CreditReferralAttachResult { Outcome = outcome };
    }

    [LoggerMessage(EventId = 1262, Level = LogLevel.Information, Message = "Referral of {RefereeId} by {ReferrerId} attached: {Bonus} credits to the referee")]
    private partial void LogAttached(string refereeId, string referrerId, long bonus);

    [LoggerMessage(EventId = 1263, Level = LogLevel.Information, Message = "Referral of {RefereeId} refused: {Outcome}")]
    private partial void LogRefused(string refereeId, CreditReferralAttachOutcome outcome);
}
