using System.Globalization;
using System.Text.Json;
using MediaForge.Credits;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using MediaForge.Credits.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// One worker process of the torture tests: N concurrent workers moving credits through ICreditService, like one app
// instance. Prints "progress <n>" lines as operations complete and, at the end, one JSON line with the counts.
//
//   --provider sqlite|postgres|mariadb --connection <string> --workers 8 --mode <mode> ...
//   modes:
//     deduct            deduct from --user until the balance refuses (no idempotency keys)
//     deduct-keys       deduct from --user once per key <--key-prefix>0 .. <--key-prefix>(--keys - 1)
//     grant-keys        grant --amount to user <--user><k % --users> once per key <--key-prefix>k (fulfilment-like)
//     team-deduct       members <--user><k % --users> deduct from the wallet of team --team (member limits may refuse
//                       some), until the pool refuses
//     cross             --keys crossings of --user's threshold --amount, each one transaction: a grant that takes the
//                       balance to the threshold or above, then deductions until it is below (auto top-up's trigger)
//   --wait-for-go: print "ready", then wait for a line on stdin before starting (a barrier across processes)
//   --dispatch: run the hosted services too (the outbox dispatcher, polling every 200 ms), with a handler of every
//               event that prints "delivered <event id>"
var dispatch = args.Contains("--dispatch");
var options = Options.Parse(args);
var services = new ServiceCollection();
services.AddDbContextPool<CreditsDbContext>(o =>
{
    if (options.Provider == "sqlite")
    {
        o.UseSqlite(options.Connection);
    }
    else if (options.Provider == "mariadb")
    {
        o.UseMySQL(options.Connection);
    }
    else
    {
        o.UseNpgsql(options.Connection);
    }
});
var credits = services.AddMediaForgeCredits(o =>
{
    o.Teams.Enabled = options.Team is not null;
    o.Events.PollInterval = TimeSpan.FromMilliseconds(200);
}).UseEntityFrameworkCore<CreditsDbContext>();
if (dispatch)
{
    credits.AddEventHandler<PrintedEvents>();
}

await using var provider = services.BuildServiceProvider();
if (dispatch)
{
    foreach (var hosted in provider.GetServices<IHostedService>())
    {
        await hosted.StartAsync(CancellationToken.None);
    }
}

if (args.Contains("--wait-for-go"))
{
    // A start barrier across processes: the test starts every process, waits for all "ready" lines, then says "go".
    Console.Out.WriteLine("ready");
    Console.Out.Flush();
    _ = Console.In.ReadLine();
}

long succeeded = 0, replayed = 0, refused = 0, errors = 0, done = 0;
var nextKey = -1;
var output = new object();

void Progress()
{
    var n = Interlocked.Increment(ref done);
    if (n % 10 == 0)
    {
        lock (output)
        {
            Console.Out.WriteLine($"progress {n}");
            Console.Out.Flush();
        }
    }
}

async Task<bool> OneAsync()
{
    await using var scope = provider.CreateAsyncScope();
    var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
    switch (options.Mode)
    {
        case "deduct":
        {
            var result = await credits.DeductCreditsAsync(options.User, "image-generation", "default");
            if (!result.Success)
            {
                Interlocked.Increment(ref refused);
                return false;
            }

            Interlocked.Increment(ref succeeded);
            return true;
        }

        case "deduct-keys":
        {
            var k = Interlocked.Increment(ref nextKey);
            if (k >= options.Keys)
            {
                return false;
            }

            var result = await credits.DeductCreditsAsync(options.User, "image-generation", "default", idempotencyKey: options.KeyPrefix + k.ToString(CultureInfo.InvariantCulture));
            Interlocked.Increment(ref !result.Success ? ref refused : ref result.IsReplay ? ref replayed : ref succeeded);
            return true;
        }

        case "grant-keys":
        {
            var k = Interlocked.Increment(ref nextKey);
            if (k >= options.Keys)
            {
                return false;
            }

            var user = options.User + (k % options.Users).ToString(CultureInfo.InvariantCulture);
            var result = await credits.AddCreditsAsync(user, options.Amount, CreditTransactionType.Purchase, "torture fulfilment",
                idempotencyKey: options.KeyPrefix + k.ToString(CultureInfo.InvariantCulture));
            Interlocked.Increment(ref result.IsReplay ? ref replayed : ref succeeded);
            return true;
        }

        case "team-deduct":
        {
            var k = Interlocked.Increment(ref nextKey);
            var member = options.User + (k % options.Users).ToString(CultureInfo.InvariantCulture);
            var result = await credits.DeductCreditsAsync(member, "image-generation", "default", wallet: CreditWallet.Team(options.Team!));
            Interlocked.Increment(ref result.Success ? ref succeeded : ref refused);
            return result.Error != CreditDeductionError.InsufficientCredits;
        }

        case "cross":
        {
            if (Interlocked.Increment(ref nextKey) >= options.Keys)
            {
                return false;
            }

            var db = scope.ServiceProvider.GetRequiredService<CreditsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var balance = (await credits.AddCreditsAsync(options.User, 1, CreditTransactionType.Bonus, "cross")).Balance; // locks the row
            if (balance < options.Amount)
            {
                balance = (await credits.AddCreditsAsync(options.User, options.Amount - balance, CreditTransactionType.Bonus, "cross")).Balance;
            }

            while (balance >= options.Amount)
            {
                var used = await credits.DeductCreditsAsync(options.User, "image-generation", "default");
                balance = used.Success ? used.RemainingBalance : throw new InvalidOperationException("A crossing's deduction was refused.");
            }

            await transaction.CommitAsync();
            Interlocked.Increment(ref succeeded);
            return true;
        }

        default:
            throw new ArgumentException($"Unknown mode '{options.Mode}'.");
    }
}

await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(_ => Task.Run(async () =>
{
    while (true)
    {
        try
        {
            if (!await OneAsync())
            {
                return;
            }
        }
        catch (Exception exception) when (exception is not ArgumentException)
        {
            Interlocked.Increment(ref errors);
            await Console.Error.WriteLineAsync(exception.ToString());
            if (options.Mode == "deduct")
            {
                continue;
            }

            return;
        }

        Progress();
    }
})));

Console.Out.WriteLine(JsonSerializer.Serialize(new { succeeded, replayed, refused, errors }));
return errors == 0 ? 0 : 1;

internal sealed record Options(string Provider, string Connection, string Mode, int Workers, string User, int Users, int Keys, string KeyPrefix, long Amount,
    string? Team)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        string Required(string name) => Get(name) ?? throw new ArgumentException($"{name} is required.");
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(Required("--provider"), Required("--connection"), Required("--mode"), Int("--workers", 8), Required("--user"),
            Int("--users", 1), Int("--keys", 0), Get("--key-prefix") ?? "key-", Int("--amount", 10), Get("--team"));
    }
}

/// <summary>Prints every delivered event's id (the crash test collects them from standard output).</summary>
internal sealed class PrintedEvents : ICreditEventHandler<CreditEvent>
{
    private static readonly Lock Output = new();

    public Task HandleAsync(CreditEvent creditEvent, CancellationToken cancellationToken)
    {
        lock (Output)
        {
            Console.Out.WriteLine($"delivered {creditEvent.EventId}");
            Console.Out.Flush();
        }

        return Task.CompletedTask;
    }
}
