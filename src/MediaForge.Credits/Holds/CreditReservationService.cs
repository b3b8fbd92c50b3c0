using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Teams;

namespace MediaForge.Credits.Holds;

/// <summary><see cref="ICreditReservationService"/> on a relational EF Core provider.</summary>
internal sealed partial class CreditReservationService(
    CreditsDbContextHandle handle,
    CreditService credits,
    CreditAccountReader accounts,
    CreditTeamSpending spending,
    CreditTeamHolds teamHolds,
    CreditTeamSplitCapture splitCaptures,
    ICreditCatalog catalog,
    IOptions<CreditsOptions> options,
    TopUps.CreditTopUpTriggers topUps,
    TimeProvider time,
    ILogger<CreditReservationService> logger) : ICreditReservationService
{
    private readonly DbContext db = handle.Context;
    private readonly CreditCaptureCharge captures = new(handle.Context, new Categories.CreditBurnOrder(options));

    public async Task<CreditReservationResult> ReserveCreditsAsync(string userId, string feature, string model, TimeSpan? ttl = null,
        string? idempotencyKey = null, long? amount = null, CancellationToken cancellationToken = default, CreditWallet wallet = default)
    {
        CreditArguments.UserId(userId);
        if (wallet.IsTeam)
        {
            spending.EnsureEnabled();
        }

        // On a team's wallet the hold is the wallet account's, placed by the member.
        var (account, member) = (CreditWalletAccounts.For(userId, wallet), wallet.IsTeam ? userId : null);
        var normalizedFeature = CreditArguments.Name(feature, nameof(feature));
        var normalizedModel = CreditArguments.Name(model, nameof(model));
        var price = await catalog.GetPriceAsync(feature, model, cancellationToken).ConfigureAwait(false);
        if (amount is { } explicitAmount)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(explicitAmount, nameof(amount));
            price = explicitAmount;
        }

        var lifetime = ttl ?? options.Value.DefaultReservationTtl;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero, nameof(ttl));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, options.Value.MaxReservationTtl, nameof(ttl));
        var key = CreditArguments.IdempotencyKey(idempotencyKey);

        return await CreditTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow();
            if (key is not null && await db.Set<CreditReservation>().AsNoTracking()
                    .FirstOrDefaultAsync(r => r.UserId == account && r.IdempotencyKey == key, ct).ConfigureAwait(false) is { } earlier)
            {
                // The same key with another feature, model, amount or member is another request: a conflict, never a replay.
                var same = earlier.Feature == normalizedFeature && earlier.Model == normalizedModel && earlier.RequestedAmount == price && earlier.MemberId == member;
                var part = await CreditTeamHoldParts.FindAsync(db, earlier.Id, earlier.MemberId, ct).ConfigureAwait(false);
                return same
                    ? Held(earlier, earlier.Amount + (part?.Amount ?? 0), (await credits.GetAccountBalanceAsync(account, ct).ConfigureAwait(false)).Available) with { IsReplay = true }
                    : Refused(CreditDeductionError.IdempotencyKeyConflict, 0);
            }

            var unlimited = member is null && options.Value.AdminUserIds.Contains(userId);
            long personalPart = 0;
            // Own credits refused: write what has lapsed (holds, expiring credits), then try once more against the written state.
            if (member is not null)
            {
                (var refusal, unlimited, personalPart) = await teamHolds.HoldAsync(wallet.TeamId!, member, price, ct).ConfigureAwait(false);
                if (refusal != CreditDeductionError.None)
                {
                    // Only a member learns what the wallet holds.
                    var shown = refusal is CreditDeductionError.NotTeamMember or CreditDeductionError.TeamFrozen ? 0
                        : (await credits.GetAccountBalanceAsync(account, ct).ConfigureAwait(false)).Available;
                    return Refused(refusal, shown);
                }
            }
            else if (!unlimited && !(await accounts.TryDebitAfterLapsesAsync(userId, price, now.UtcDateTime, c => CreditHolds.TryHoldAsync(db, userId, price, now.UtcDateTime, c), ct)
                    .ConfigureAwait(false)).Debited)
            {
                var balance = await credits.GetBalanceAsync(userId, ct).ConfigureAwait(false);
                if (!balance.IsUnlimited)
                {
                    return Refused(CreditDeductionError.InsufficientCredits, balance.Available);
                }

                unlimited = true;
            }

            if (unlimited)
            {
                await credits.EnsureAccountAsync(account, ct).ConfigureAwait(false);
            }

            var hold = new CreditReservation
            {
                Id = Guid.CreateVersion7(now),
                UserId = account,
                MemberId = member,
                // Stryker disable once Equality : equivalent: a hold whose member's own part is all of it counts 0 (its pool part), so nothing is given back or counted again either way
                LimitCounted = member is not null && !unlimited && price > personalPart,
                Feature = normalizedFeature,
                Model = normalizedModel,
                Amount = unlimited ? 0 : price - personalPart,
                RequestedAmount = price,
                IsUnlimited = unlimited,
                Status = ReservationStatus.Active,
                IdempotencyKey = key,
                ExpiresAt = (now + lifetime).UtcDateTime,
                CreatedAt = now.UtcDateTime,
            };
            await Storage.CreditHoldStatements.For(db).InsertAsync(hold, ct).ConfigureAwait(false);
            if (personalPart > 0)
            {
                // Split by the funding policy: the member's own part is a second hold on the member's account.
                await db.InsertDetachedAsync(CreditTeamHoldParts.New(hold, personalPart), ct).ConfigureAwait(false);
            }

            LogReserved(account, hold.Amount + personalPart, hold.Id);
            return Held(hold, hold.Amount + personalPart, (await credits.GetAccountBalanceAsync(account, ct).ConfigureAwait(false)).Available);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<CreditReservationSettlement> CaptureReservationAsync(Guid reservationId, long? actualAmount = null, CancellationToken cancellationToken = default) =>
        CreditTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow();
            var hold = await FindAsync(reservationId, ct).ConfigureAwait(false);
            if (hold is null)
            {
                return new CreditReservationSettlement { Success = false };
            }

            if (hold.Status == ReservationStatus.Captured)
            {
                return await ReplayedAsync(hold, success: true, ct).ConfigureAwait(false);
            }

            var part = await CreditTeamHoldParts.FindAsync(db, hold.Id, hold.MemberId, ct).ConfigureAwait(false);
            var charge = CreditCaptureCharge.Amount(hold, actualAmount, part);
            await teamHolds.LockAsync(hold, ct, part).ConfigureAwait(false);
            if (hold.Status != ReservationStatus.Active || hold.ExpiresAt <= now.UtcDateTime)
            {
                // Expired now or before (also in passing, by a debit): a team hold's count goes back here if it has not yet.
                await ExpireAsync(hold, part, now.UtcDateTime, ct).ConfigureAwait(false);

                return await SettledAsync((await FindAsync(reservationId, ct).ConfigureAwait(false))!, success: false, ct).ConfigureAwait(false);
            }

            if (part is not null)
            {
                return await splitCaptures.CaptureAsync(hold, part, charge, now, ct).ConfigureAwait(false) ?? await EndedAsync(reservationId, ct).ConfigureAwait(false);
            }

            var allowDebt = options.Value.ClawbackPolicy == CreditClawbackPolicy.AllowNegativeBalance;
            if (await CreditHolds.CaptureAsync(db, hold.Id, hold.UserId, hold.Amount, charge, allowDebt, now.UtcDateTime, ct).ConfigureAwait(false) is not { } captured)
            {
                return await EndedAsync(reservationId, ct).ConfigureAwait(false);
            }

            if (captured.Charged < charge)
            {
                LogCaptureCut(hold.Id, hold.UserId, charge, captured.Charged);
            }

            await teamHolds.GiveBackAsync(hold, hold.Amount - captured.Charged, ct).ConfigureAwait(false);

            return await ChargedAsync(hold, captured.Charged, captured.Balance, now, ct, captured.HasLots).ConfigureAwait(false);
        }, cancellationToken);

    public Task<CreditReservationSettlement> CaptureExpiredReservationAsync(Guid reservationId, long? actualAmount = null, CancellationToken cancellationToken = default) =>
        CreditTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow();
            var hold = await FindAsync(reservationId, ct).ConfigureAwait(false);
            if (hold is null || !(hold.Status == ReservationStatus.Expired || (hold.Status == ReservationStatus.Active && hold.ExpiresAt <= now.UtcDateTime)))
            {
                // Nothing to charge late (unknown, ended another way, or a live hold): a capture gives the answer.
                return await CaptureReservationAsync(reservationId, actualAmount, ct).ConfigureAwait(false);
            }

            var part = await CreditTeamHoldParts.FindAsync(db, hold.Id, hold.MemberId, ct).ConfigureAwait(false);
            var charge = CreditCaptureCharge.Amount(hold, actualAmount, part);
            // A team hold: the member's row first; a hold whose count was given back must fit the limit again.
            await teamHolds.LockAsync(hold, ct, part).ConfigureAwait(false);
            if (part is not null)
            {
                return await splitCaptures.CaptureLateAsync(hold, part, charge, now, async () => (await FindAsync(reservationId, ct).ConfigureAwait(false))!, ct)
                    .ConfigureAwait(false) ?? await EndedAsync(reservationId, ct).ConfigureAwait(false);
            }

            // Stryker disable once Boolean : equivalent: onlyIfExpired; the hold was read expired, or active past its expiry (which never moves)
            await CreditHolds.SettleAsync(db, hold.Id, hold.UserId, hold.Amount, ReservationStatus.Expired, now.UtcDateTime, ct, onlyIfExpired: true).ConfigureAwait(false);
            await CreditLots.ExpireLapsedAsync(db, hold.UserId, now.UtcDateTime, options.Value.Events.LowBalanceThreshold, ct).ConfigureAwait(false);
            hold = (await FindAsync(reservationId, ct).ConfigureAwait(false))!;
            if (!await teamHolds.FitsLateCaptureAsync(hold, charge, ct).ConfigureAwait(false)
                || await CreditHolds.CaptureExpiredAsync(db, hold.Id, hold.UserId, charge, now.UtcDateTime, ct).ConfigureAwait(false) is not { } balance)
            {
                return await EndedAsync(reservationId, ct).ConfigureAwait(false);
            }

            await teamHolds.CountLateCaptureAsync(hold, charge, ct).ConfigureAwait(false);
            LogCapturedLate(hold.Id, hold.UserId, charge);
            return await ChargedAsync(hold, charge, balance, now, ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// After the balance moved: the capture's rows (<see cref="CreditCaptureCharge.RecordAsync"/>; lots consumed only
    /// when the account may have some, <paramref name="hasLots"/>) and its outcome.
    /// </summary>
    private async Task<CreditReservationSettlement> ChargedAsync(CreditReservationRow hold, long charge, long balance, DateTimeOffset now, CancellationToken ct,
        bool hasLots = true)
    {
        var transactionId = await captures.RecordAsync(hold, charge, balance, now, ct, hasLots: hasLots).ConfigureAwait(false);
        await CreditBalanceAlerts.AfterDebitAsync(db, options.Value.Events.LowBalanceThreshold, hold.UserId, balance, charge, now, ct).ConfigureAwait(false);
        await topUps.AfterDebitAsync(db, hold.UserId, balance, charge, now, ct).ConfigureAwait(false);
        LogSettled(hold.Id, ReservationStatus.Captured, charge);
        return new CreditReservationSettlement
        {
            Success = true, Status = ReservationStatus.Captured, CreditsCharged = charge, TransactionId = transactionId, Balance = balance,
        };
    }

    public Task<CreditReservationSettlement> ReleaseReservationAsync(Guid reservationId, CancellationToken cancellationToken = default) =>
        CreditTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            var hold = await FindAsync(reservationId, ct).ConfigureAwait(false);
            if (hold is null)
            {
                return new CreditReservationSettlement { Success = false };
            }

            if (hold.Status == ReservationStatus.Active)
            {
                // Past its expiry, the expiry wins: the hold ends as expired, not released.
                var to = hold.ExpiresAt <= now ? ReservationStatus.Expired : ReservationStatus.Released;
                var part = await CreditTeamHoldParts.FindAsync(db, hold.Id, hold.MemberId, ct).ConfigureAwait(false);
                await teamHolds.LockAsync(hold, ct, part).ConfigureAwait(false);
                if (await CreditHolds.SettleAsync(db, hold.Id, hold.UserId, hold.Amount, to, now, ct).ConfigureAwait(false))
                {
                    await CreditTeamHoldParts.EndAsync(db, part, to, now, ct).ConfigureAwait(false);
                    await teamHolds.GiveBackAsync(hold, hold.Amount, ct).ConfigureAwait(false);

                    LogSettled(hold.Id, to, 0);
                    return await SettledAsync(hold with { Status = to }, success: to == ReservationStatus.Released, ct).ConfigureAwait(false);
                }

                hold = (await FindAsync(reservationId, ct).ConfigureAwait(false))!;
            }
            // Stryker disable once Logical : equivalent: for a personal hold, or a team hold captured or released, the expiry changes nothing (no active row, no count left to give back)
            else if (hold.Status == ReservationStatus.Expired && hold.MemberId is not null)
            {
                // Expired in passing by a debit: its count (once: the marker decides) and its member's part go back now.
                await ExpireAsync(hold, await CreditTeamHoldParts.FindAsync(db, hold.Id, hold.MemberId, ct).ConfigureAwait(false), now, ct).ConfigureAwait(false);
            }

            return await ReplayedAsync(hold, success: hold.Status == ReservationStatus.Released, ct).ConfigureAwait(false);
        }, cancellationToken);
}
