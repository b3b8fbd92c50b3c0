using MediaForge.Credits.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Gifts;

/// <summary>Gifts need a relational provider: on EF InMemory each operation says so, and the sweep has nothing to do.</summary>
public sealed class GiftInMemoryProviderTests
{
    private const string NeedsRelational = "Gifts need a relational EF Core provider.";

    private static async Task<T> Gifts<T>(Func<ICreditGiftService, Task<T>> action)
    {
        await using var provider = InMemoryCredits.Services(o => o.Gifts.Enabled = true);
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ICreditGiftService>());
    }

    [Fact]
    public async Task CreateGift_InMemoryProvider_ThrowsSayingGiftsNeedARelationalProvider() =>
        Assert.Equal(NeedsRelational, (await Assert.ThrowsAsync<NotSupportedException>(() => Gifts(g => g.CreateGiftAsync("sender", 1)))).Message);

    [Fact]
    public async Task RedeemGift_InMemoryProvider_ThrowsSayingGiftsNeedARelationalProvider() =>
        Assert.Equal(NeedsRelational, (await Assert.ThrowsAsync<NotSupportedException>(() => Gifts(g => g.RedeemGiftAsync("code", "recipient")))).Message);

    [Fact]
    public async Task CancelGift_InMemoryProvider_ThrowsSayingGiftsNeedARelationalProvider() =>
        Assert.Equal(NeedsRelational, (await Assert.ThrowsAsync<NotSupportedException>(() => Gifts(g => g.CancelGiftAsync(Guid.NewGuid(), "sender")))).Message);

    [Fact]
    public async Task ReissueCode_InMemoryProvider_ThrowsSayingGiftsNeedARelationalProvider() =>
        Assert.Equal(NeedsRelational, (await Assert.ThrowsAsync<NotSupportedException>(() => Gifts(g => g.ReissueCodeAsync(Guid.NewGuid(), "sender")))).Message);

    [Fact]
    public async Task GetGifts_InMemoryProvider_ThrowsSayingGiftsNeedARelationalProvider() =>
        Assert.Equal(NeedsRelational, (await Assert.ThrowsAsync<NotSupportedException>(() => Gifts(g => g.GetGiftsAsync("user")))).Message);

    [Fact]
    public async Task ExpireGifts_InMemoryProvider_ExpiresNothing() => Assert.Equal(0, await Gifts(g => g.ExpireGiftsAsync()));
}
