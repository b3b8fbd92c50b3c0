using MediaForge.Credits.Storage;
using MediaForge.Credits.TopUps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// Top-up triggers: deductions (16 workers, random users of 2,000) on wallets with auto top-up (threshold 100, the
/// <c>pro</c> pack of 200 credits) whose balance starts 2, 5 or 8 credits above the threshold, so each wallet's first,
/// second or third deduction crosses it and writes a pending top-up; an in-process charger (what the Stripe worker and
/// webhook do, with a payment that always succeeds) claims each, marks it charging and grants it in a transaction of its
/// own. Next to it, the library's plain deduction on as many wallets without auto top-up (the baseline row). Checks:
/// balance = Σ ledger, none overdrawn, every top-up charged once (grants = succeeded top-ups, none left pending).
/// </summary>
internal static class TopUpCells
{
    private const long Threshold = 100;

    public static async Task RunAsync(BenchContext cx)
    {
        var (settings, store) = (cx.Settings, cx.Store);
        await using var provider = cx.Services(null);
        var wallets = Math.Min(settings.Users, 2_000);
        var plain = await cx.SeedUsersAsync("tpp", wallets, 1_000_000_000);
        var topped = Enumerable.Range(0, wallets).Select(i => $"tpu.u.{i:D5}").ToList();
        foreach (var group in topped.GroupBy(u => Threshold + 2 + 3 * (int.Parse(u[^5..], System.Globalization.CultureInfo.InvariantCulture) % 3)))
        {
            await store.SeedAccountsAsync([.. group], group.Key);
        }

        var enabledCount = 0;
        var enabled = await LoadRunner.ForCountAsync(settings.Workers, 0, wallets, async _ =>
        {
            var wallet = topped[Interlocked.Increment(ref enabledCount) - 1];
            await using var scope = provider.CreateAsyncScope();
            var auto = scope.ServiceProvider.GetRequiredService<CreditAutoTopUps>();
            var saved = await auto.SaveAsync(wallet, new CreditAutoTopUpChange(true, Threshold, "pro", 1_000, CreditAutoTopUps.MaxAmountPerMonthCents), default);
            await auto.SavePaymentMethodAsync(wallet, "cus_" + wallet, "pm_" + wallet, default);
            return saved == CreditAutoTopUpError.None ? true : throw new InvalidOperationException($"auto top-up not saved: {saved}");
        });
        if (enabled.Errors > 0)
        {
            throw new InvalidOperationException($"Enabling auto top-up failed: {enabled.FirstError}");
        }

        await store.SettleAsync();
        BenchContext.Log($"{store.Name} / top-up triggers / {settings.Workers} workers / library, plain deductions (baseline)");
        var baseline = await LoadRunner.ForDurationAsync(settings.Workers, settings.Warmup, settings.FlowDuration,
            random => BenchContext.DeductAsync(provider, plain[random.Next(wallets)]));
        var plainAudit = await store.AuditAsync("tpp.");
        cx.Report.Flow(store.Name, $"deductions, {wallets:N0} users", "library, no auto top-up (baseline)", baseline, baseline.OpsPerSecond,
            new FlowAudit(plainAudit.LostCredits, await RawFlows.OverdrawnAsync(store, "tpp."), 0, $"users with balance ≠ Σ ledger {plainAudit.Mismatched}"));

        using var stop = new CancellationTokenSource();
        var charger = Task.Run(() => ChargeAsync(provider, stop.Token));
        BenchContext.Log($"{store.Name} / top-up triggers / {settings.Workers} workers / library, wallets with auto top-up");
        var m = await LoadRunner.ForDurationAsync(settings.Workers, settings.Warmup, settings.FlowDuration,
            random => BenchContext.DeductAsync(provider, topped[random.Next(wallets)]));
        var (total, open) = (0, 0);
        for (var wait = 0; wait < 600; wait++)
        {
            (total, open) = await BenchContext.InScopeAsync<CreditsDbContext, (int, int)>(provider, async db =>
                (await db.Set<CreditTopUpRow>().CountAsync(t => t.WalletId.StartsWith("tpu.")),
                 await db.Set<CreditTopUpRow>().CountAsync(t => t.WalletId.StartsWith("tpu.") && t.Status != CreditTopUpStatus.Succeeded)));
            if (open == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        await stop.CancelAsync();
        var chargerError = await charger;
        var audit = await store.AuditAsync("tpu.");
        var grants = await RawFlows.ScalarAsync(store, "SELECT COUNT(*) FROM credit_transactions WHERE user_id LIKE @p AND description = 'Auto top-up: pro'", "tpu.");
        var succeeded = total - open;
        cx.Report.Flow(store.Name, $"deductions, {wallets:N0} users", "library, auto top-up triggered and charged", m, baseline.OpsPerSecond,
            new FlowAudit(audit.LostCredits, await RawFlows.OverdrawnAsync(store, "tpu."), Math.Abs(grants - succeeded),
                $"{total:N0} top-ups triggered (warm-up included; {(double)total / Math.Max(1, m.Operations):P0} of the measured deductions' count), {succeeded:N0} charged, {grants:N0} grants, {open:N0} left open; users with balance ≠ Σ ledger {audit.Mismatched}{(chargerError is null ? "" : "; charger: " + chargerError)}"));
        if (open != 0 || chargerError is not null)
        {
            cx.Report.Target($"{store.Name}, top-ups: every top-up triggered is charged once", $"{open:N0} left open; {chargerError}", false);
        }
    }

    /// <summary>The in-process charger: claims due top-ups, marks them charging, grants each in a transaction (as the webhook does).</summary>
    private static async Task<string?> ChargeAsync(IServiceProvider provider, CancellationToken stop)
    {
        var owner = Guid.NewGuid();
        try
        {
            while (true)
            {
                await using var scope = provider.CreateAsyncScope();
                var charges = scope.ServiceProvider.GetRequiredService<CreditTopUpCharges>();
                var claimed = await charges.ClaimAsync(owner, 50, CancellationToken.None);
                foreach (var topUp in claimed)
                {
                    var intent = "pi_bench_" + topUp.Id.ToString("N");
                    await charges.ChargingAsync(topUp.Id, owner, intent, CancellationToken.None);
                    await using var grantScope = provider.CreateAsyncScope();
                    var db = grantScope.ServiceProvider.GetRequiredService<CreditsDbContext>();
                    await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
                    var outcome = await grantScope.ServiceProvider.GetRequiredService<CreditTopUpCharges>()
                        .SucceededAsync(topUp.Id, intent, topUp.AmountCents, topUp.Currency, "bench", CancellationToken.None);
                    await transaction.CommitAsync(CancellationToken.None);
                    if (outcome != CreditTopUpOutcome.Granted)
                    {
                        return $"top-up {topUp.Id}: {outcome}";
                    }
                }

                if (claimed.Count == 0)
                {
                    await Task.Delay(20, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception error)
        {
            return error.GetType().Name + ": " + error.Message;
        }
    }
}
