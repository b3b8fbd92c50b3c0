using System.Data.Common;
using System.Globalization;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Benchmarks;

/// <summary>
/// The hot team wallet (issue #20): one team's wallet, 30 members each under a spending limit, 16 workers spending from
/// it as random members; the library's team deduction against a raw ADO.NET transaction doing a team spend's writes
/// (the member's counter under its limit, the conditional wallet debit, the ledger row, the usage log naming the
/// member). Then a limit probe: limits and a pool that do refuse, checking that exactly the pool was spent, nobody went
/// over their limit and the wallet never went below zero.
/// </summary>
internal static class TeamWalletCells
{
    private const long Cost = 3; // image-generation/default in the seeded catalog
    private const int Members = 30;
    private const string Shape = "hot team wallet, 30 members";

    /// <summary>Runs the cell and the probe on the context's store (not MariaDB: the raw baseline's SQL uses <c>RETURNING</c>).</summary>
    public static Task RunAsync(BenchContext cx) => cx.Store.Name == "MariaDB"
        ? Task.CompletedTask
        : RunAsync(cx.Store, cx.Settings, cx.Report.Deductions, cx.Report.Probes, cx.Report.Target, BenchContext.Log);

    /// <summary>Runs the cell and the probe on <paramref name="store"/>, adding rows to the report's tables.</summary>
    public static async Task RunAsync(BenchStore store, Settings settings, List<string> rows, List<string> probes, Action<string, string, bool> target, Action<string> log)
    {
        var services = new ServiceCollection();
        services.AddDbContextPool<CreditsDbContext>(store.UseProvider);
        services.AddMediaForgeCredits(o => o.Teams.Enabled = true).UseEntityFrameworkCore<CreditsDbContext>();
        await using var provider = services.BuildServiceProvider();
        var period = new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var approaches = new (string Name, string Prefix, Func<string, string, Task<bool>> Spend)[]
        {
            ("raw ADO.NET, a team spend's writes", "traw", (team, member) => RawSpendAsync(store, team, member, period)),
            ("library", "tlib", (team, member) => LibrarySpendAsync(provider, team, member)),
        };

        double? rawRate = null;
        foreach (var (name, prefix, spend) in approaches)
        {
            var team = $"bench_{prefix}";
            var members = await SeedTeamAsync(store, provider, team, prefix, 1_000_000_000, _ => 1_000_000_000);
            log($"{store.Name} / {Shape} / {settings.Workers} workers / {name}");
            var m = await LoadRunner.ForDurationAsync(settings.Workers, settings.Warmup, settings.Duration, random => spend(team, members[random.Next(Members)]));
            var audit = await store.AuditAsync(Wallet(team));
            rawRate ??= m.OpsPerSecond;
            var ratio = m.OpsPerSecond / rawRate.Value;
            if (prefix == "tlib")
            {
                target($"{store.Name}, {settings.Workers} workers, {Shape}: library ≥ 3.0× raw ADO.NET", $"{ratio:0.00}×", ratio >= 3.0);
                if (audit.Mismatched > 0 || audit.Negative > 0)
                {
                    target($"{store.Name}, {Shape}, {name}: zero overdrafts and lost updates", $"{audit}", false);
                }
            }

            rows.Add($"| {store.Name} | {settings.Workers} | {Shape} | {name} | {m.OpsPerSecond:N0} | {m.P50Ms:0.00} | {m.P99Ms:0.00} | {ratio:0.00}× | {m.AllocatedPerOperation / 1024.0:N1} | {m.Errors:N0} | {audit.Mismatched:N0} | {audit.LostCredits:N0} | {audit.Negative:N0} |");
            log($"  {m.OpsPerSecond:N0} ops/s, p50 {m.P50Ms:0.00} ms, p99 {m.P99Ms:0.00} ms, {m.AllocatedPerOperation / 1024.0:N1} KB allocated/op, errors {m.Errors} {m.FirstError}; audit {audit}");
        }

        foreach (var (name, prefix, spend) in approaches)
        {
            await ProbeAsync(store, provider, settings, name, prefix + "p", spend, period, probes, target, log);
        }
    }

    /// <summary>
    /// Limits that refuse: a pool of 250 uses; even members may spend 5 uses, odd ones 20 (375 in all); every member
    /// asks 20 times. Exactly 250 succeed, the pool ends at 0, nobody is over their limit, every counter matches.
    /// </summary>
    private static async Task ProbeAsync(BenchStore store, IServiceProvider provider, Settings settings, string name, string prefix,
        Func<string, string, Task<bool>> spend, DateTime period, List<string> probes, Action<string, string, bool> target, Action<string> log)
    {
        const int Pool = 250, Asks = 20;
        var team = $"bench_{prefix}";
        var limits = Enumerable.Range(0, Members).Select(i => (i % 2 == 0 ? 5 : 20) * Cost).ToArray();
        var members = await SeedTeamAsync(store, provider, team, prefix, Pool * Cost, i => limits[i]);
        log($"{store.Name} / team limit probe / {name}");
        var ticket = -1;
        var m = await LoadRunner.ForCountAsync(settings.Workers, 0, Members * Asks, _ => spend(team, members[Interlocked.Increment(ref ticket) % Members]));
        var audit = await store.AuditAsync(Wallet(team));
        var (overLimit, miscounted) = await CheckMembersAsync(store, team, members, limits);
        var ok = m.Succeeded == Pool && audit.Charges == Pool && audit.LostCredits == 0 && audit.Negative == 0 && overLimit == 0 && miscounted == 0;
        if (prefix.StartsWith("tlib", StringComparison.Ordinal))
        {
            target($"{store.Name}, team limit probe, {name}: exactly {Pool} succeed, nobody over their limit, wallet never below 0",
                $"{m.Succeeded:N0} succeeded, {audit.Charges:N0} charges, {overLimit} over limit, {miscounted} miscounted", ok);
        }

        probes.Add($"| {store.Name} | team limit probe: {name} | {Pool:N0} | {Members * Asks:N0} | {m.Succeeded:N0} | {audit.Charges:N0} | {audit.LostCredits:N0} | {(audit.Negative > 0 ? "**yes**" : "no")} | {m.Errors:N0} |");
        log($"  succeeded {m.Succeeded}, errors {m.Errors} {m.FirstError}; audit {audit}; {overLimit} over limit, {miscounted} counters differing from the usage logs");
    }

    /// <summary>A team with 30 members and the given limits, its wallet funded with <paramref name="pool"/> credits.</summary>
    private static async Task<List<string>> SeedTeamAsync(BenchStore store, IServiceProvider provider, string team, string prefix, long pool, Func<int, long> limit)
    {
        await store.SeedAccountsAsync([Wallet(team)], pool);
        var owner = $"{prefix}.owner";
        var members = Enumerable.Range(0, Members).Select(i => $"{prefix}.m.{i:D2}").ToList();
        await using var scope = provider.CreateAsyncScope();
        var teams = scope.ServiceProvider.GetRequiredService<ICreditTeamService>();
        Check(await teams.CreateTeamAsync(team, "Benchmark team", owner));
        for (var i = 0; i < members.Count; i++)
        {
            Check(await teams.AddMemberAsync(team, owner, members[i]));
            Check(await teams.SetMemberLimitAsync(team, owner, members[i], limit(i)));
        }

        return members;
    }

    private static void Check(CreditTeamResult result)
    {
        if (!result.Success)
        {
            throw new InvalidOperationException($"Setting up the benchmark team failed: {result.Error}");
        }
    }

    private static async Task<bool> LibrarySpendAsync(IServiceProvider provider, string team, string member)
    {
        await using var scope = provider.CreateAsyncScope();
        var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
        var result = await credits.DeductCreditsAsync(member, "image-generation", "default", wallet: CreditWallet.Team(team));
        return result.Error switch
        {
            CreditDeductionError.None => true,
            CreditDeductionError.InsufficientCredits or CreditDeductionError.MemberLimitReached => false,
            _ => throw new InvalidOperationException($"Unexpected deduction error {result.Error}"),
        };
    }

    /// <summary>
    /// A team spend in raw ADO.NET, one transaction: the member's counter under its limit (the member's row first, as
    /// the library locks it), the wallet's conditional debit, the ledger row and the usage log naming the member.
    /// </summary>
    private static async Task<bool> RawSpendAsync(BenchStore store, string team, string member, DateTime period)
    {
        var wallet = Wallet(team);
        await using var connection = await store.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var count = Command(connection, transaction,
            "UPDATE credit_team_members SET period_spent = CASE WHEN period_start = @p THEN period_spent ELSE 0 END + @cost, period_start = @p"
            + " WHERE team_id = @t AND user_id = @u AND removed_at IS NULL"
            + " AND CASE WHEN period_start = @p THEN period_spent ELSE 0 END + @cost <= COALESCE(spend_limit, 9223372036854775807)",
            ("p", period), ("cost", Cost), ("t", team), ("u", member)))
        {
            if (await count.ExecuteNonQueryAsync() != 1)
            {
                return false;
            }
        }

        long balance;
        await using (var debit = Command(connection, transaction,
            "UPDATE credits SET balance = balance - @cost WHERE user_id = @w AND balance >= @cost RETURNING balance", ("cost", Cost), ("w", wallet)))
        {
            if (await debit.ExecuteScalarAsync() is not { } after)
            {
                return false;
            }

            balance = Convert.ToInt64(after, CultureInfo.InvariantCulture);
        }

        var (now, charge, usage) = (DateTime.UtcNow, Guid.CreateVersion7(), Guid.CreateVersion7());
        var sqlite = connection.GetType().Name.Contains("Sqlite", StringComparison.Ordinal);
        object Id(Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;
        await using (var insert = Command(connection, transaction,
            "INSERT INTO credit_transactions (id, user_id, amount, balance_after, type, description, reference, created_at)"
            + " VALUES (@id, @w, @amount, @after, 'Usage', @description, @reference, @now)",
            ("id", Id(charge)), ("w", wallet), ("amount", -Cost), ("after", balance), ("description", BenchStore.UsageDescription),
            ("reference", usage.ToString()), ("now", now)))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using (var log = Command(connection, transaction,
            "INSERT INTO usage_logs (id, user_id, member_id, feature, model, credits_used, price, is_unlimited, transaction_id, created_at)"
            + " VALUES (@id, @w, @u, 'image-generation', 'default', @cost, @cost, @unlimited, @transaction, @now)",
            ("id", Id(usage)), ("w", wallet), ("u", member), ("cost", Cost), ("unlimited", false), ("transaction", Id(charge)), ("now", now)))
        {
            await log.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return true;
    }

    /// <summary>Members over their limit, and members whose counter differs from the credits of their usage logs.</summary>
    private static async Task<(int OverLimit, int Miscounted)> CheckMembersAsync(BenchStore store, string team, List<string> members, long[] limits)
    {
        await using var connection = await store.OpenAsync();
        await using var command = Command(connection, null,
            "SELECT m.user_id, m.period_spent, (SELECT COALESCE(SUM(u.credits_used), 0) FROM usage_logs u WHERE u.user_id = @w AND u.member_id = m.user_id)"
            + " FROM credit_team_members m WHERE m.team_id = @t", ("w", Wallet(team)), ("t", team));
        var (over, miscounted) = (0, 0);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var index = members.IndexOf(reader.GetString(0));
            var (spent, used) = (Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture));
            over += index >= 0 && (spent > limits[index] || used > limits[index]) ? 1 : 0;
            miscounted += spent != used ? 1 : 0;
        }

        return (over, miscounted);
    }

    /// <summary>A team's wallet account (the library's reserved <c>mf:team:</c> id).</summary>
    private static string Wallet(string team) => "mf:team:" + team;

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
