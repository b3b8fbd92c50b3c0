using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.Tests.Storage;

/// <summary>MariaDB keeps no time zone with a datetime: the bundled context reads every stored time back as UTC.</summary>
public sealed class MariaDbDateTimeKindTests(MariaDbCreditsDatabase database) : IClassFixture<MariaDbCreditsDatabase>
{
    [Fact]
    public async Task StoredTimes_ReadBack_AreUtc()
    {
        var user = "utc_" + Guid.NewGuid().ToString("N");
        await database.WithCreditsAsync(c => c.AddCreditsAsync(user, 10, CreditTransactionType.Purchase, "pack"));
        await database.WithCreditsAsync(c => c.DeductCreditsAsync(user, "image-generation", "default"));

        await database.WithContextAsync(async db =>
        {
            var row = await db.Transactions.FirstAsync(t => t.UserId == user);
            var account = await db.Accounts.SingleAsync(a => a.UserId == user);
            Assert.Equal(DateTimeKind.Utc, row.CreatedAt.Kind);
            Assert.Equal(DateTimeKind.Utc, account.UpdatedAt.Kind);
            Assert.Equal(DateTimeKind.Utc, account.LastUsageAt!.Value.Kind);
        });
    }
}
