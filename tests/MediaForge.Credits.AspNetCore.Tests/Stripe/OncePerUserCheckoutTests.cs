using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MediaForge.Credits.AspNetCore.Tests.Infrastructure;
using MediaForge.Credits.Entities;
using MediaForge.Credits.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MediaForge.Credits.AspNetCore.Tests.Stripe;

/// <summary>A paid package marked once per user cannot be bought a second time through the checkout endpoint.</summary>
public abstract class OncePerUserCheckoutTests<TDatabase>(TDatabase database) : CreditsAppTests<TDatabase>(database)
    where TDatabase : CreditsDatabase
{
    private async Task<string> OncePerUserPackAsync()
    {
        var id = "intro-" + Guid.NewGuid().ToString("N")[..12];
        await App.DbAsync(db =>
        {
            db.Packages.Add(new CreditPackage { Id = id, Name = "Intro", Credits = 10, PriceCents = 500, Currency = "usd", OncePerUser = true, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });
        return id;
    }

    [Fact]
    public async Task CreateCheckoutSession_OncePerUserPackAlreadyBought_Returns409AndStartsNothing()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        var session = await App.StartCheckoutAsync(user, package);
        await App.WithServiceAsync<PurchaseFulfilmentResult, ICreditPurchaseService>(p => p.CompletePurchaseAsync(session, 500, "usd", package));

        var response = await App.Client(user).PostAsJsonAsync("/api/stripe/create-checkout-session", new { packageId = package });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("already_purchased", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(("This package can be bought once per user.", $"Package '{package}' was already bought."),
            (problem.RootElement.GetProperty("title").GetString(), problem.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(1, await App.DbAsync(db => db.Purchases.CountAsync(p => p.UserId == user)));
        Assert.Equal(10, await App.BalanceAsync(user));
    }

    [Fact]
    public async Task GetPackages_OncePerUserPackBought_ShowsItClaimed()
    {
        var (user, package) = (NewUser(), await OncePerUserPackAsync());
        var session = await App.StartCheckoutAsync(user, package);
        await App.WithServiceAsync<PurchaseFulfilmentResult, ICreditPurchaseService>(p => p.CompletePurchaseAsync(session, 500, "usd", package));

        var packages = await App.Client(user).GetFromJsonAsync<List<CreditPackageResponse>>("/api/credits/packages");

        Assert.True(packages!.Single(p => p.Id == package).Claimed);
    }
}

public sealed class SqliteOncePerUserCheckoutTests(SqliteCreditsDatabase database) : OncePerUserCheckoutTests<SqliteCreditsDatabase>(database);

public sealed class PostgresOncePerUserCheckoutTests(PostgresCreditsDatabase database) : OncePerUserCheckoutTests<PostgresCreditsDatabase>(database);
