using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// Gift redemption: <c>--gifts</c> gifts of 10 credits created in the seeding (through <c>CreateGiftAsync</c>, from
/// <c>--users</c> senders), then all redeemed concurrently by 16 workers (a fixed count), each by a random recipient:
/// <c>RedeemGiftAsync</c> against the raw redemption (<see cref="RawFlows.RedeemGiftAsync"/>) of gifts created the same
/// way; the first tenth of the redemptions is the warm-up. Checks: every gift redeemed once (gift rows redeemed, in rows, successes), balance = Σ ledger, no credits created
/// or destroyed, no hold left with the senders.
/// </summary>
internal static class GiftCells
{
    private const long Amount = 10;
    private const long Seeded = 1_000_000;

    public static async Task RunAsync(BenchContext cx)
    {
        var (settings, store) = (cx.Settings, cx.Store);
        await using var provider = cx.Services(o =>
        {
            o.Gifts.Enabled = true;
            o.Gifts.RedeemAttemptsPerWindow = int.MaxValue; // the cell measures redemption, not the guessing limiter
        });
        var users = settings.Users;
        var approaches = new (string Name, string Prefix)[] { ("raw ADO.NET", "gfr"), ("library (RedeemGiftAsync)", "gfl") };
        var gifts = new Dictionary<string, (Guid Id, string Code)[]>();
        foreach (var (name, prefix) in approaches)
        {
            await cx.SeedUsersAsync(prefix + ".s", users, Seeded);
            await cx.SeedUsersAsync(prefix + ".r", users, Seeded);
            BenchContext.Log($"{store.Name} / gifts: creating {settings.Gifts:N0} gifts for {name}");
            var made = new (Guid, string)[settings.Gifts];
            var next = -1;
            var created = await LoadRunner.ForCountAsync(settings.Workers, 0, settings.Gifts, async _ =>
            {
                var i = Interlocked.Increment(ref next);
                var result = await BenchContext.InScopeAsync<ICreditGiftService, CreditGiftResult>(provider, g => g.CreateGiftAsync($"{prefix}.s.u.{i % users:D5}", Amount));
                made[i] = result.Success ? (result.Gift!.Id, result.Code!) : throw new InvalidOperationException($"CreateGiftAsync: {result.Error}");
                return true;
            });
            if (created.Errors > 0)
            {
                throw new InvalidOperationException($"Creating gifts failed: {created.FirstError}");
            }

            gifts[prefix] = made;
        }

        await store.SettleAsync();
        var pending = await StatusValueAsync(store, gifts["gfr"][0].Id);
        object redeemed = pending is string ? nameof(CreditGiftStatus.Redeemed) : (object)(int)CreditGiftStatus.Redeemed;
        double? baseline = null;
        foreach (var (name, prefix) in approaches)
        {
            BenchContext.Log($"{store.Name} / gift redemption, {settings.Gifts:N0} gifts / {settings.Workers} workers / {name}");
            var next = -1;
            long succeeded = 0;
            // The first tenth of the gifts is the warm-up (not timed); every gift is redeemed.
            var m = await LoadRunner.ForCountAsync(settings.Workers, settings.Gifts / 10, settings.Gifts - settings.Gifts / 10, async random =>
            {
                var (id, code) = gifts[prefix][Interlocked.Increment(ref next)];
                var recipient = $"{prefix}.r.u.{random.Next(users):D5}";
                var done = prefix == "gfr"
                    ? await RawFlows.RedeemGiftAsync(store, id, recipient, pending, redeemed)
                    : Redeemed(await BenchContext.InScopeAsync<ICreditGiftService, CreditGiftResult>(provider, g => g.RedeemGiftAsync(code, recipient)));
                if (done)
                {
                    Interlocked.Increment(ref succeeded);
                }

                return done;
            });
            var audit = await store.AuditAsync(prefix + ".");
            var changed = await RawFlows.BalancesAsync(store, prefix + ".") - Seeded * 2 * users;
            var redeemedRows = await RawFlows.ScalarAsync(store, "SELECT COUNT(*) FROM credit_gifts WHERE sender_id LIKE @p AND status = @s", prefix + ".s.", ("s", redeemed));
            var inRows = await RawFlows.LedgerRowsAsync(store, prefix + ".r.", "TransferIn");
            var held = await store.ReservedAsync(prefix + ".");
            baseline ??= m.OpsPerSecond;
            cx.Report.Flow(store.Name, $"gift redemption, {settings.Gifts:N0} gifts, random recipients of {users:N0}", name, m, baseline.Value,
                new FlowAudit(audit.LostCredits + Math.Abs(changed) + held, await RawFlows.OverdrawnAsync(store, prefix + "."),
                    Math.Abs(redeemedRows - succeeded) + Math.Abs(inRows - succeeded),
                    $"{succeeded:N0} of {settings.Gifts:N0} redeemed: {redeemedRows:N0} gift rows redeemed, {inRows:N0} in rows; still held {held}; Σ balances − seeded {changed}"));
        }
    }

    private static bool Redeemed(CreditGiftResult result) =>
        result.Success ? true : throw new InvalidOperationException($"RedeemGiftAsync: {result.Error}");

    /// <summary>How the gift status column stores "pending" (EF's enum mapping), read from a gift just created.</summary>
    private static async Task<object> StatusValueAsync(BenchStore store, Guid giftId)
    {
        await using var connection = await store.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM credit_gifts WHERE id = @id";
        BenchStore.Add(command, "id", store.GuidValue(giftId));
        return await command.ExecuteScalarAsync() ?? throw new InvalidOperationException("gift not found");
    }
}
