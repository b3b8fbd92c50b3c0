using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Purchases;

/// <summary>
/// Every <see cref="ICreditPurchaseService"/> method refuses a bad argument with an <see cref="ArgumentException"/> that
/// names it, before anything is read or written.
/// </summary>
public abstract class PurchaseArgumentTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : CreditsDatabase
{
    private async Task<string?> ParamNameAsync<TException>(Func<ICreditPurchaseService, Task> action)
        where TException : ArgumentException
    {
        await using var scope = database.Services.CreateAsyncScope();
        var purchases = scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>();
        return (await Assert.ThrowsAsync<TException>(() => action(purchases))).ParamName;
    }

    [Fact]
    public async Task StartPurchase_BlankUserIdAndUnknownPackage_ThrowsForTheUserIdFirst() =>
        Assert.Equal("userId", await ParamNameAsync<ArgumentException>(p => p.StartPurchaseAsync(" ", "no-such-pack", "stripe")));

    [Fact]
    public async Task StartGiftPurchase_BlankBuyerAndUnknownPackage_ThrowsForTheBuyerFirst() =>
        Assert.Equal("buyerId", await ParamNameAsync<ArgumentException>(p => p.StartGiftPurchaseAsync(" ", "no-such-pack", "stripe")));

    [Fact]
    public async Task StartVolumePurchase_BlankUserIdAndUnknownPackage_ThrowsForTheUserIdFirst() =>
        Assert.Equal("userId", await ParamNameAsync<ArgumentException>(p => p.StartVolumePurchaseAsync(" ", "no-such-pack", 2, null, "stripe")));

    [Fact]
    public async Task StartGiftPurchase_GiftsTurnedOff_SaysWhichOptionTurnsThemOn()
    {
        await using var scope = database.Services.CreateAsyncScope();
        var purchases = scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => purchases.StartGiftPurchaseAsync("user_args", "pro", "stripe"));

        Assert.Equal("Gifts are turned off (CreditsOptions.Gifts.Enabled); a pack cannot be bought as a gift.", error.Message);
    }

    [Fact]
    public async Task StartPurchase_BlankProviderAndUnknownPackage_ThrowsForTheProviderFirst() =>
        Assert.Equal("provider", await ParamNameAsync<ArgumentException>(p => p.StartPurchaseAsync("user_args", "no-such-pack", " ")));

    [Fact]
    public async Task StartPurchase_UnknownPackage_ThrowsNamingTheMissingPaidPackage()
    {
        await using var scope = database.Services.CreateAsyncScope();
        var purchases = scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>();

        var error = await Assert.ThrowsAsync<UnknownCreditPackageException>(() => purchases.StartPurchaseAsync("user_args", "Gold", "stripe"));

        Assert.Equal(("No active paid package 'Gold'. (Parameter 'packageId')", "packageId", "Gold", "unknown_package"),
            (error.Message, error.ParamName, error.PackageId, error.ErrorCode));
    }

    [Fact]
    public async Task ClaimFreePackage_PaidPackageId_ThrowsNamingTheMissingFreePackage()
    {
        await using var scope = database.Services.CreateAsyncScope();
        var purchases = scope.ServiceProvider.GetRequiredService<ICreditPurchaseService>();

        var error = await Assert.ThrowsAsync<UnknownCreditPackageException>(() => purchases.ClaimFreePackageAsync("user_args", "pro"));

        Assert.Equal("No active free package 'pro'. (Parameter 'packageId')", error.Message);
    }

    [Fact]
    public async Task ClaimFreePackage_BlankUserIdAndUnknownPackage_ThrowsForTheUserIdFirst() =>
        Assert.Equal("userId", await ParamNameAsync<ArgumentException>(p => p.ClaimFreePackageAsync(" ", "no-such-pack")));

    [Fact]
    public async Task HasClaimed_BlankUserId_ThrowsNamingUserId() =>
        Assert.Equal("userId", await ParamNameAsync<ArgumentException>(p => p.HasClaimedAsync(" ", "starter")));

    [Fact]
    public async Task AttachSession_BlankSessionId_ThrowsNamingProviderSessionId() =>
        Assert.Equal("providerSessionId", await ParamNameAsync<ArgumentException>(p => p.AttachSessionAsync(Guid.NewGuid(), " ")));

    [Fact]
    public async Task CompletePurchase_BlankSessionId_ThrowsNamingProviderSessionId() =>
        Assert.Equal("providerSessionId", await ParamNameAsync<ArgumentException>(p => p.CompletePurchaseAsync(" ", 2999, "usd")));

    [Fact]
    public async Task CompletePurchase_BlankCurrency_ThrowsNamingCurrency() =>
        Assert.Equal("currency", await ParamNameAsync<ArgumentException>(p => p.CompletePurchaseAsync("cs_test_args", 2999, " ")));

    [Fact]
    public async Task FailPurchase_NullReason_ThrowsNamingReason() =>
        Assert.Equal("reason", await ParamNameAsync<ArgumentNullException>(p => p.FailPurchaseAsync(Guid.NewGuid(), null!)));

    [Fact]
    public async Task ExpirePurchase_BlankSessionId_ThrowsNamingProviderSessionId() =>
        Assert.Equal("providerSessionId", await ParamNameAsync<ArgumentException>(p => p.ExpirePurchaseAsync(" ")));

    [Fact]
    public async Task FindBySession_BlankSessionId_ThrowsNamingProviderSessionId() =>
        Assert.Equal("providerSessionId", await ParamNameAsync<ArgumentException>(p => p.FindBySessionAsync(" ")));

    [Fact]
    public async Task RecordRefund_BlankPaymentId_ThrowsNamingProviderPaymentId() =>
        Assert.Equal("providerPaymentId", await ParamNameAsync<ArgumentException>(p => p.RecordRefundAsync(" ", 100)));

    [Fact]
    public async Task RecordRefund_NegativeAmount_ThrowsNamingAmountRefundedCents() =>
        Assert.Equal("amountRefundedCents", await ParamNameAsync<ArgumentOutOfRangeException>(p => p.RecordRefundAsync("pi_test_args", -1)));

    [Fact]
    public async Task RecordDispute_BlankDisputeId_ThrowsNamingDisputeId() =>
        Assert.Equal("disputeId", await ParamNameAsync<ArgumentException>(p => p.RecordDisputeAsync("pi_test_args", " ", 100, PaymentDisputeState.Open)));

    [Fact]
    public async Task RecordDispute_NegativeAmount_ThrowsNamingDisputedAmountCents() =>
        Assert.Equal("disputedAmountCents", await ParamNameAsync<ArgumentOutOfRangeException>(p => p.RecordDisputeAsync("pi_test_args", "dp_args", -1, PaymentDisputeState.Open)));
}

public sealed class SqlitePurchaseArgumentTests(SqliteCreditsDatabase database) : PurchaseArgumentTests<SqliteCreditsDatabase>(database);

public sealed class PostgresPurchaseArgumentTests(PostgresCreditsDatabase database) : PurchaseArgumentTests<PostgresCreditsDatabase>(database);

public sealed class MariaDbPurchaseArgumentTests(MariaDbCreditsDatabase database) : PurchaseArgumentTests<MariaDbCreditsDatabase>(database);
