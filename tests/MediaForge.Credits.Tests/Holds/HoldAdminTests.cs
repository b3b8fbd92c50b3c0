using MediaForge.Credits.Entities;
using MediaForge.Credits.Storage;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Holds;

/// <summary>
/// Holds of admins (configured in <see cref="CreditsOptions.AdminUserIds"/> or flagged in the database): unlimited, so
/// a hold holds nothing, even of credits the admin has, and a capture charges nothing, whatever amount it names.
/// </summary>
public abstract class HoldAdminTests<TDatabase>(TDatabase database)
    : HoldTestsBase<TDatabase>(database, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero))
    where TDatabase : CreditsDatabase
{
    /// <summary>The hold service of services that list <paramref name="admin"/> as an admin, in a scope of its own.</summary>
    private async Task<T> AsAdmin<T>(string admin, Func<ICreditReservationService, Task<T>> action)
    {
        await using var services = Database.BuildServices(Database.ConnectionString, o => o.AdminUserIds.Add(admin), Clock);
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditReservationService>());
    }

    [Fact]
    public async Task Reserve_ConfiguredAdminWithCredits_HoldsNoneOfThem()
    {
        var admin = await UserWithAsync(40);

        var hold = await AsAdmin(admin, h => h.ReserveCreditsAsync(admin, "video-generation", "veo2"));

        Assert.Equal((true, 0L), (hold.Success, hold.Amount));
        await AssertConsistentAsync(admin, 40);
    }

    [Fact]
    public async Task Capture_ConfiguredAdminNamingAnAmount_ChargesNothing()
    {
        var admin = await UserWithAsync(40);
        var hold = await AsAdmin(admin, h => h.ReserveCreditsAsync(admin, "video-generation", "veo2"));

        var capture = await AsAdmin(admin, h => h.CaptureReservationAsync(hold.ReservationId!.Value, actualAmount: 12));

        Assert.Equal((true, 0L), (capture.Success, capture.CreditsCharged));
        await AssertConsistentAsync(admin, 40);
    }

    [Fact]
    public async Task Reserve_ConfiguredAdmin_HoldsNothingAndCaptureChargesNothing()
    {
        var admin = NewUser();

        var hold = await AsAdmin(admin, h => h.ReserveCreditsAsync(admin, "video-generation", "veo2"));
        var capture = await AsAdmin(admin, h => h.CaptureReservationAsync(hold.ReservationId!.Value));

        Assert.Equal((true, 0L), (hold.Success, hold.Amount));
        Assert.Equal((true, 0L), (capture.Success, capture.CreditsCharged));
    }

    [Fact]
    public async Task Reserve_UserFlaggedAdminInTheDatabase_HoldsWithoutCredits()
    {
        var admin = "admin_" + Guid.NewGuid().ToString("N");
        await Db(db =>
        {
            db.Users.Add(new CreditUser { Id = admin, IsAdmin = true, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });

        var hold = await Holds(h => h.ReserveCreditsAsync(admin, "video-generation", "veo2"));

        Assert.Equal((true, 0L), (hold.Success, hold.Amount));
    }

    [Fact]
    public async Task Reserve_BlankUserIdEvenWhenListedAsAdmin_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => AsAdmin(" ", h => h.ReserveCreditsAsync(" ", "video-generation", "veo2")));

        Assert.Equal("userId", error.ParamName);
    }
}

public sealed class SqliteHoldAdminTests(SqliteCreditsDatabase database) : HoldAdminTests<SqliteCreditsDatabase>(database);

public sealed class PostgresHoldAdminTests(PostgresCreditsDatabase database) : HoldAdminTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbHoldAdminTests(MariaDbCreditsDatabase database) : HoldAdminTests<MariaDbCreditsDatabase>(database);
