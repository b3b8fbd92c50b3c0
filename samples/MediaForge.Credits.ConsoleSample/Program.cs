// A console tour of the credit ledger on SQLite: grant, check, deduct (with a retry and an admin), print the ledger.
using MediaForge.Credits;
using MediaForge.Credits.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

var databasePath = Path.Combine(Path.GetTempPath(), $"mediaforge-credits-sample-{Environment.ProcessId}.db");
var services = new ServiceCollection();
services.AddDbContextPool<CreditsDbContext>(o => o.UseSqlite($"Data Source={databasePath}"));
services.AddMediaForgeCredits(o => o.AdminUserIds.Add("user_admin")).UseEntityFrameworkCore<CreditsDbContext>();
await using var provider = services.BuildServiceProvider();

var setup = await provider.InitializeCreditsAsync(createSchema: true);
Console.WriteLine($"Set up on {setup.Provider}: {setup.ActivePackages} packages, {setup.ActivePrices} prices, ready: {setup.IsReady}");

await using var scope = provider.CreateAsyncScope();
var credits = scope.ServiceProvider.GetRequiredService<ICreditService>();
const string user = "user_demo";

await credits.AddCreditsAsync(user, 50, CreditTransactionType.Bonus, "Starter pack (sign-up bonus)", idempotencyKey: "package:starter");
var check = await credits.CheckCreditsAsync(user, "video-generation", "veo2");
Console.WriteLine($"video-generation/veo2 costs {check.Required}; {user} has {check.Available}: can use it: {check.HasCredits}");

var first = await credits.DeductCreditsAsync(user, "video-generation", "veo2", prompt: "A fox in the snow",
    metadata: new { duration = 30, quality = "high" }, idempotencyKey: "job-1");
var retry = await credits.DeductCreditsAsync(user, "video-generation", "veo2", prompt: "A fox in the snow", idempotencyKey: "job-1");
Console.WriteLine($"Deducted {first.CreditsDeducted}, balance {first.RemainingBalance}; the retry is a replay: {retry.IsReplay}");

while ((await credits.DeductCreditsAsync(user, "map-animation", "veo2")) is { Success: true } used)
{
    Console.WriteLine($"map-animation/veo2: -{used.CreditsDeducted}, balance {used.RemainingBalance}");
}

var refused = await credits.DeductCreditsAsync(user, "map-animation", "veo2");
Console.WriteLine($"Next use refused: {refused.Error} (balance {refused.RemainingBalance})");

var admin = await credits.DeductCreditsAsync("user_admin", "video-generation", "veo2");
Console.WriteLine($"Admin used video-generation/veo2: deducted {admin.CreditsDeducted} (unlimited), usage logged: {admin.UsageLogId is not null}");

Console.WriteLine();
Console.WriteLine($"Ledger of {user}, newest first:");
foreach (var entry in (await credits.GetTransactionsAsync(user)).Items)
{
    Console.WriteLine($"  {entry.CreatedAt:u}  {entry.Type,-10} {entry.Amount,5}  balance {entry.BalanceAfter,3}  {entry.Description}");
}

var balance = await credits.GetBalanceAsync(user);
Console.WriteLine($"Balance {balance.Balance} (database: {databasePath})");
