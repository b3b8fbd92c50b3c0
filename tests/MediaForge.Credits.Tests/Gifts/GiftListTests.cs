using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>The order of a user's gift lists: received ones by when they were redeemed, latest first; ties by id, highest first.</summary>
public abstract class GiftListTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private GiftSetup Setup => field ??= new GiftSetup(database, time: clock);

    [Fact]
    public async Task GetGifts_Received_LatestRedeemedFirstWhateverTheOrderTheyWereMade()
    {
        var sender = await Setup.FundedAsync(100);
        var recipient = GiftSetup.NewUser("recipient");
        var older = await Setup.Gifts(g => g.CreateGiftAsync(sender, 10));
        clock.Advance(TimeSpan.FromMinutes(1));
        var newer = await Setup.Gifts(g => g.CreateGiftAsync(sender, 20));
        await Setup.Gifts(g => g.RedeemGiftAsync(newer.Code, recipient));
        clock.Advance(TimeSpan.FromMinutes(1));
        await Setup.Gifts(g => g.RedeemGiftAsync(older.Code, recipient));

        var received = (await Setup.Gifts(g => g.GetGiftsAsync(recipient))).Received;

        Assert.Equal([older.Gift!.Id, newer.Gift!.Id], received.Select(g => g.Id));
    }

    [Fact]
    public async Task GetGifts_SentAtOneInstant_HighestIdFirst()
    {
        var sender = await Setup.FundedAsync(100);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Setup.Gifts(g => g.CreateGiftAsync(sender, 10))).Gift!.Id);
        }

        var sent = (await Setup.Gifts(g => g.GetGiftsAsync(sender))).Sent;

        Assert.Equal(ids.OrderByDescending(id => id.ToString()), sent.Select(g => g.Id));
    }

    [Fact]
    public async Task GetGifts_ReceivedAtOneInstant_HighestIdFirst()
    {
        var sender = await Setup.FundedAsync(100);
        var recipient = GiftSetup.NewUser("recipient");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var gift = await Setup.Gifts(g => g.CreateGiftAsync(sender, 10));
            await Setup.Gifts(g => g.RedeemGiftAsync(gift.Code, recipient));
            ids.Add(gift.Gift!.Id);
        }

        var received = (await Setup.Gifts(g => g.GetGiftsAsync(recipient))).Received;

        Assert.Equal(ids.OrderByDescending(id => id.ToString()), received.Select(g => g.Id));
    }
}

public sealed class SqliteGiftListTests(SqliteCreditsDatabase database) : GiftListTests<SqliteCreditsDatabase>(database);

public sealed class PostgresGiftListTests(PostgresCreditsDatabase database) : GiftListTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbGiftListTests(MariaDbCreditsDatabase database) : GiftListTests<MariaDbCreditsDatabase>(database);
