using MediaForge.Credits.Tests.Infrastructure;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// A database at schema version 1 with three days of history written as version 1 wrote it (no roll-up, counters or
/// running totals): starter and paid grants, charged uses of four features over many hours, an unlimited admin's uses,
/// uses of one user at the same instant, and a captured hold.
/// </summary>
public static class Version1History
{
    public const string Admin = "v1-root";

    public static readonly string[] Users = ["v1-ana", "v1-ben", "v1-cleo", Admin];

    public static readonly DateTimeOffset Start = new(2024, 2, 5, 7, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset End = Start.AddDays(4);

    public static string[] ChargedUsers => [.. Users.Where(u => u != Admin)];

    private static readonly (string Feature, string Model, long Price)[] Uses =
        [("image-generation", "default", 3), ("video-generation", "hailuo", 8), ("map-animation", "hailuo", 5), ("video-generation", "veo2", 15)];

    /// <summary>Creates the database with the version 1 tables and the history; returns its connection string.</summary>
    public static async Task<string> CreateAsync(CreditsDatabase database, string prefix = "")
    {
        var connectionString = await database.CreateDatabaseAsync();
        var options = new DbContextOptionsBuilder();
        database.UseProvider(options, connectionString);
        await using var db = new DbContext(options.Options);
        await db.Database.ExecuteSqlRawAsync(Prefixed(db.Database.IsSqlite() ? Version1Schema.Sqlite : Version1Schema.Postgres, prefix));
        await WriteHistoryAsync((sql, args) => db.Database.ExecuteSqlRawAsync(Prefixed(sql, prefix), args));
        return connectionString;
    }

    private delegate Task<int> RunSql(string sql, params object[] args);

    private const string InsertChargedUse =
        "INSERT INTO usage_logs (id, user_id, feature, model, credits_used, price, is_unlimited, created_at, transaction_id) VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8})";

    private const string InsertUnlimitedUse =
        "INSERT INTO usage_logs (id, user_id, feature, model, credits_used, price, is_unlimited, created_at) VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7})";

    /// <summary>The SQL with the credit tables and their key and index names prefixed, as <c>ApplyCreditsModel</c> names them.</summary>
    public static string Prefixed(string sql, string prefix)
    {
        if (prefix.Length == 0)
        {
            return sql;
        }

        const string tables = "users|credits|credit_transactions|usage_logs|credit_packages|purchases|feature_pricing|webhook_events|credit_reservations|credit_grants";
        sql = Regex.Replace(sql, $@"\b(TABLE|REFERENCES|ON|INTO) (""?)({tables})\b", m => $"{m.Groups[1].Value} {m.Groups[2].Value}{prefix}{m.Groups[3].Value}");
        return Regex.Replace(sql, @"""(PK|IX|FK)_", m => $"\"{m.Groups[1].Value}_{prefix}");
    }

    private static async Task WriteHistoryAsync(RunSql run)
    {
        var at = Start.UtcDateTime;
        var balances = new Dictionary<string, (long Balance, long Granted, long Consumed)>();
        foreach (var user in Users)
        {
            await run("INSERT INTO users (id, is_admin, created_at, updated_at) VALUES ({0}, {1}, {2}, {2})", user, user == Admin, at);
            balances[user] = (0, 0, 0);
        }

        async Task<Guid> LedgerAsync(string user, long amount, string type, DateTime when)
        {
            var (balance, granted, consumed) = balances[user];
            balance += amount;
            balances[user] = amount > 0 ? (balance, granted + amount, consumed) : (balance, granted, consumed - amount);
            var id = Guid.NewGuid();
            await run("INSERT INTO credit_transactions (id, user_id, amount, balance_after, type, description, created_at) VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6})",
                id, user, amount, balance, type, type.ToLowerInvariant(), when);
            return id;
        }

        foreach (var user in ChargedUsers)
        {
            await LedgerAsync(user, 30, "Bonus", at);
            await LedgerAsync(user, 1000, "Purchase", at.AddMinutes(1));
        }

        Guid? captured = null;
        for (var i = 0; i < 90; i++)
        {
            var user = Users[i % Users.Length];
            var use = Uses[i / Users.Length % Uses.Length];
            var when = at.AddMinutes(10 + (i * 47));
            // Every ninth use of a charged user comes twice at the same instant (ties in the running totals).
            for (var copy = 0; copy < (i % 9 == 0 && user != Admin ? 2 : 1); copy++)
            {
                var unlimited = user == Admin;
                var transaction = unlimited ? (Guid?)null : await LedgerAsync(user, -use.Price, "Usage", when);
                captured ??= transaction;
                await run(unlimited ? InsertUnlimitedUse : InsertChargedUse,
                    Guid.NewGuid(), user, use.Feature, use.Model, unlimited ? 0L : use.Price, use.Price, unlimited, when, transaction.GetValueOrDefault());
            }
        }

        foreach (var (user, (balance, granted, consumed)) in balances)
        {
            await run("INSERT INTO credits (user_id, balance, reserved, total_granted, total_consumed, created_at, updated_at) VALUES ({0}, {1}, 0, {2}, {3}, {4}, {4})",
                user, balance, granted, consumed, at);
        }

        await run("INSERT INTO credit_reservations (id, user_id, feature, model, amount, is_unlimited, status, captured_amount, transaction_id, expires_at, created_at, settled_at)"
            + " VALUES ({0}, {1}, 'image-generation', 'default', 3, {2}, 'Captured', 3, {3}, {4}, {5}, {5})",
            Guid.NewGuid(), Users[0], false, captured!, at.AddHours(1), at.AddMinutes(10));
    }
}
