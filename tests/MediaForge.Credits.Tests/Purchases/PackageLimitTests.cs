using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// The limits on getting a package: a free package once per user and once per normalized e-mail; a paid package marked
/// <see cref="CreditPackage.OncePerUser"/> bought at most once per user.
/// </summary>
public abstract class PackageLimitTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private ServiceProvider? unguarded;

    private ServiceProvider Unguarded => unguarded ??= database.BuildServices(database.ConnectionString, o => o.OneFreePackagePerEmail = false);

    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    private async Task<T> Purchases<T>(Func<ICreditPurchaseService, Task<T>> action, IServiceProvider? services = null)
    {
        await using var scope = (services ?? database.Services).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>());
    }

    private async Task<T> Db<T>(Func<CreditsDbContext, Task<T>> action)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CreditsDbContext>());
    }

    /// <summary>A user row as the identity provider's webhook leaves it.</summary>
    private async Task<string> UserWithEmailAsync(string? email)
    {
        var user = NewUser();
        await Db(db =>
        {
            db.Users.Add(new CreditUser { Id = user, Email = email, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });
        return user;
    }

    /// <summary>A paid package that one user may buy once (10 credits for 500 cents).</summary>
    private async Task<string> OncePerUserPackAsync()
    {
        var id = "intro-" + Guid.NewGuid().ToString("N")[..12];
        await Db(db =>
        {
            db.Packages.Add(new CreditPackage { Id = id, Name = "Intro", Credits = 10, PriceCents = 500, Currency = "usd", OncePerUser = true, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });
        return id;
    }

    private async Task<(Guid Purchase, string Session)> StartAsync(string user, string package)
    {
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        var purchase = await Purchases(p => p.StartPurchaseAsync(user, package, "stripe"));
        await Purchases(async p => { await p.AttachSessionAsync(purchase.Id, session); return true; });
        return (purchase.Id, session);
    }

    private Task<long> BalanceAsync(string user) => database.WithCreditsAsync(async c => (await c.GetBalanceAsync(user)).Balance);

    [Fact]
    public async Task ClaimFreePackage_SecondAccountWithTheSameEmail_GrantsNothing()
    {
        var first = await UserWithEmailAsync("sam@example.com");
        var second = await UserWithEmailAsync(" SAM@Example.com");
        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"));

        var claim = await Purchases(p => p.ClaimFreePackageAsync(second, "starter"));

        Assert.Equal((false, true), (claim.Granted, claim.EmailAlreadyClaimed));
        Assert.Equal((50L, 0L), (await BalanceAsync(first), await BalanceAsync(second)));
    }

    [Fact]
    public async Task ClaimFreePackage_FirstAccountsEmailErasedSinceItsClaim_StillGrantsNothing()
    {
        var first = await UserWithEmailAsync("erased@example.com");
        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"));
        await Db(db => db.Users.Where(u => u.Id == first).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, (string?)null)));
        var second = await UserWithEmailAsync("erased@example.com");

        var claim = await Purchases(p => p.ClaimFreePackageAsync(second, "starter"));

        Assert.False(claim.Granted);
        Assert.Equal(0, await BalanceAsync(second));
    }

    [Fact]
    public async Task ClaimFreePackage_StoresOnlyAHashOfTheEmail()
    {
        var user = await UserWithEmailAsync("private@example.com");

        await Purchases(p => p.ClaimFreePackageAsync(user, "starter"));

        var stored = await Db(db => db.Purchases.Where(p => p.UserId == user).Select(p => p.ProviderSessionId).SingleAsync());
        Assert.Equal("mf:free-email:starter:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("private@example.com"u8)), stored);
    }

    [Fact]
    public async Task ClaimFreePackage_Grant_IsKeyedByThePackage()
    {
        var user = await UserWithEmailAsync(null);

        var claim = await Purchases(p => p.ClaimFreePackageAsync(user, "Starter"));

        Assert.Equal("mf:package:starter", await Db(db => db.Transactions.Where(t => t.Id == claim.TransactionId).Select(t => t.IdempotencyKey).SingleAsync()));
    }

    [Fact]
    public async Task ClaimFreePackage_AgainAfterTakingAnEmailAnotherAccountClaimed_GrantsNothingAndKeepsBothClaims()
    {
        var first = await UserWithEmailAsync("taken@example.com");
        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"));
        var second = await UserWithEmailAsync(null);
        await Purchases(p => p.ClaimFreePackageAsync(second, "starter"));
        await Db(db => db.Users.Where(u => u.Id == second).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, "taken@example.com")));

        var again = await Purchases(p => p.ClaimFreePackageAsync(second, "starter"));

        Assert.Equal((false, false, 50L), (again.Granted, again.EmailAlreadyClaimed, await BalanceAsync(second)));
    }

    [Fact]
    public async Task ClaimFreePackage_EmailLearnedAfterTheClaim_GuardsLaterAccounts()
    {
        var first = await UserWithEmailAsync(null);
        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"));
        await Db(db => db.Users.Where(u => u.Id == first).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, "late@example.com")));
        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"));
        var second = await UserWithEmailAsync("late@example.com");

        var claim = await Purchases(p => p.ClaimFreePackageAsync(second, "starter"));

        Assert.Equal((false, true), (claim.Granted, claim.EmailAlreadyClaimed));
        Assert.Equal(0, await BalanceAsync(second));
    }

    [Fact]
    public async Task ClaimFreePackage_EmailLearnedAfterTheClaim_RecordsItOnThatUsersClaimOnly()
    {
        var (first, other) = (await UserWithEmailAsync(null), await UserWithEmailAsync(null));
        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"));
        await Purchases(p => p.ClaimFreePackageAsync(other, "starter"));
        await Db(db => db.Users.Where(u => u.Id == first).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, "mine@example.com")));

        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"));

        var claims = await Db(db => db.Purchases.Where(p => p.UserId == first || p.UserId == other).ToDictionaryAsync(p => p.UserId, p => p.ProviderSessionId));
        Assert.Equal((true, (string?)null), (claims[first] is not null, claims[other]));
    }

    [Fact]
    public async Task ClaimFreePackage_SameEmailFromTwoAccountsAtOnce_GrantsOnce()
    {
        var users = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            users.Add(await UserWithEmailAsync("race@example.com"));
        }

        var claims = await Task.WhenAll(users.Select(u => Task.Run(() => Purchases(p => p.ClaimFreePackageAsync(u, "starter")))));

        Assert.Single(claims, c => c.Granted);
        Assert.Equal(50, (await Task.WhenAll(users.Select(BalanceAsync))).Sum());
    }

    [Fact]
    public async Task ClaimFreePackage_WithoutAKnownEmail_GrantsOncePerUser()
    {
        var (first, second) = (await UserWithEmailAsync(null), await UserWithEmailAsync(null));

        var claims = new[]
        {
            await Purchases(p => p.ClaimFreePackageAsync(first, "starter")),
            await Purchases(p => p.ClaimFreePackageAsync(second, "starter")),
            await Purchases(p => p.ClaimFreePackageAsync(second, "starter")),
        };

        Assert.Equal([true, true, false], claims.Select(c => c.Granted));
    }

    [Fact]
    public async Task ClaimFreePackage_SameEmailWithTheGuardOff_GrantsEachAccount()
    {
        var first = await UserWithEmailAsync("shared@example.com");
        var second = await UserWithEmailAsync("shared@example.com");

        await Purchases(p => p.ClaimFreePackageAsync(first, "starter"), Unguarded);
        var claim = await Purchases(p => p.ClaimFreePackageAsync(second, "starter"), Unguarded);

        Assert.True(claim.Granted);
        Assert.Equal(50, await BalanceAsync(second));
    }

    [Fact]
    public async Task StartPurchase_OncePerUserPackAlreadyBought_Throws()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        var (_, session) = await StartAsync(user, package);
        await Purchases(p => p.CompletePurchaseAsync(session, 500, "usd", package));

        var error = await Assert.ThrowsAsync<CreditPackageLimitException>(() => Purchases(p => p.StartPurchaseAsync(user, package, "stripe")));

        Assert.Equal(package, error.PackageId);
        Assert.Equal(1, await Db(db => db.Purchases.CountAsync(p => p.UserId == user)));
    }

    [Fact]
    public async Task StartPurchase_OncePerUserPackAlreadyBought_SaysWhoBoughtWhat()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        var (_, session) = await StartAsync(user, package);
        await Purchases(p => p.CompletePurchaseAsync(session, 500, "usd", package));

        var error = await Assert.ThrowsAsync<CreditPackageLimitException>(() => Purchases(p => p.StartPurchaseAsync(user, package, "stripe")));

        Assert.Equal(($"Package '{package}' can be bought once per user, and user '{user}' already bought it.", "already_purchased"), (error.Message, error.ErrorCode));
    }

    [Fact]
    public async Task StartPurchase_OncePerUserPackBoughtOnlyByAnotherUser_Starts()
    {
        var package = await OncePerUserPackAsync();
        var (_, session) = await StartAsync(NewUser(), package);
        await Purchases(p => p.CompletePurchaseAsync(session, 500, "usd", package));

        var mine = await Purchases(p => p.StartPurchaseAsync(NewUser(), package, "stripe"));

        Assert.Equal(PurchaseStatus.Pending, mine.Status);
    }

    [Fact]
    public async Task StartPurchase_OncePerUserPackOnlyStartedBefore_StartsAgain()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        await StartAsync(user, package);

        var again = await Purchases(p => p.StartPurchaseAsync(user, package, "stripe"));

        Assert.Equal(PurchaseStatus.Pending, again.Status);
    }

    [Fact]
    public async Task CompletePurchase_SecondPaidSessionOfAOncePerUserPack_GrantsNothing()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        var (_, first) = await StartAsync(user, package);
        var (_, second) = await StartAsync(user, package);
        await Purchases(p => p.CompletePurchaseAsync(first, 500, "usd", package));

        var result = await Purchases(p => p.CompletePurchaseAsync(second, 500, "usd", package));

        Assert.Equal(PurchaseFulfilmentOutcome.Mismatch, result.Outcome);
        Assert.Contains("once per user", result.Detail, StringComparison.Ordinal);
        Assert.Equal(10, await BalanceAsync(user));
    }

    [Fact]
    public async Task CompletePurchase_TwoPaidSessionsOfAOncePerUserPackAtOnce_GrantOnce()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        var sessions = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            sessions.Add((await StartAsync(user, package)).Session);
        }

        var results = await Task.WhenAll(sessions.Select(s => Task.Run(() => Purchases(p => p.CompletePurchaseAsync(s, 500, "usd", package)))));

        Assert.Single(results, r => r.Outcome == PurchaseFulfilmentOutcome.Completed);
        Assert.Equal(10, await BalanceAsync(user));
    }

    [Fact]
    public async Task HasClaimed_OncePerUserPackBought_IsTrue()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        var (_, session) = await StartAsync(user, package);
        var before = await Purchases(p => p.HasClaimedAsync(user, package));

        await Purchases(p => p.CompletePurchaseAsync(session, 500, "usd", package));

        Assert.Equal((false, true), (before, await Purchases(p => p.HasClaimedAsync(user, package))));
    }
}

public sealed class SqlitePackageLimitTests(SqliteCreditsDatabase database) : PackageLimitTests<SqliteCreditsDatabase>(database);

public sealed class PostgresPackageLimitTests(PostgresCreditsDatabase database) : PackageLimitTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbPackageLimitTests(MariaDbCreditsDatabase database) : PackageLimitTests<MariaDbCreditsDatabase>(database);
