using MediaForge.Credits.Tests.Infrastructure;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// A free package's claim as the ledger and <see cref="ICreditPurchaseService.HasClaimedAsync"/> show it: the grant
/// names its pack; a user has claimed it only with their own claim, whatever other users did or other credits they hold.
/// </summary>
public abstract class FreePackageClaimTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private static string NewUser() => "user_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task ClaimFreePackage_Granted_TheLedgerRowNamesTheFreePack()
    {
        var user = NewUser();

        await database.WithPurchasesAsync(p => p.ClaimFreePackageAsync(user, "starter"));

        var row = Assert.Single((await database.WithCreditsAsync(c => c.GetTransactionsAsync(user))).Items);
        Assert.Equal(("Starter pack (free)", 50L), (row.Description, row.Amount));
    }

    [Fact]
    public async Task HasClaimed_OnlyAnotherUserClaimed_IsFalseForAUserWithOtherCredits()
    {
        var (user, other) = (NewUser(), NewUser());
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Bonus, "welcome"));
        await database.WithPurchasesAsync(p => p.ClaimFreePackageAsync(other, "starter"));

        Assert.False(await database.WithPurchasesAsync(p => p.HasClaimedAsync(user, "starter")));
    }

    [Fact]
    public async Task HasClaimed_AfterTheUsersOwnClaim_IsTrue()
    {
        var user = NewUser();
        await database.WithPurchasesAsync(p => p.ClaimFreePackageAsync(user, "starter"));

        Assert.True(await database.WithPurchasesAsync(p => p.HasClaimedAsync(user, "starter")));
    }
}

public sealed class SqliteFreePackageClaimTests(SqliteCreditsDatabase database) : FreePackageClaimTests<SqliteCreditsDatabase>(database);

public sealed class PostgresFreePackageClaimTests(PostgresCreditsDatabase database) : FreePackageClaimTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbFreePackageClaimTests(MariaDbCreditsDatabase database) : FreePackageClaimTests<MariaDbCreditsDatabase>(database);
