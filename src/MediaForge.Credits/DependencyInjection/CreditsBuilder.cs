using MediaForge.Credits.Analytics;
using MediaForge.Credits.Events;
using MediaForge.Credits.Expiry;
using MediaForge.Credits.Holds;
using MediaForge.Credits.Purchases;
using MediaForge.Credits.Reconciliation;
using MediaForge.Credits.Referrals;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits;

/// <summary>Configures the credit system; returned by <c>AddMediaForgeCredits</c>. Every method returns the builder.</summary>
public sealed class CreditsBuilder
{
    internal CreditsBuilder(IServiceCollection services) => Services = services;

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Stores credits through <typeparamref name="TContext"/>, which the host registers itself (<c>AddDbContext</c> or
    /// <c>AddDbContextPool</c>) and whose model includes the credit tables (<c>modelBuilder.ApplyCreditsModel()</c>, or
    /// the bundled <c>CreditsDbContext</c>). Registers <see cref="ICreditService"/>, <see cref="ICreditCatalog"/>,
    /// <see cref="ICreditPurchaseService"/>, <see cref="ICreditReferralService"/>, <see cref="ICreditGiftService"/>, <see cref="ICreditTeamService"/>, <see cref="ICreditAnalytics"/> and <see cref="ICreditReconciliation"/> (scoped).
    /// Calling it again replaces the context type.
    /// </summary>
    /// <typeparam name="TContext">The context type that holds the credit model.</typeparam>
    /// <returns>The builder.</returns>
    public CreditsBuilder UseEntityFrameworkCore<TContext>()
        where TContext : DbContext
    {
        Services.RemoveAll<CreditsDbContextHandle>();
        Services.AddScoped(sp => new CreditsDbContextHandle(sp.GetRequiredService<TContext>()));
        Services.TryAddScoped<ICreditCatalog, CreditCatalog>();
        Services.TryAddScoped(sp => CreditLedger.For(sp.GetRequiredService<CreditsDbContextHandle>().Context));
        Services.TryAddSingleton<Categories.CreditBurnOrder>();
        Services.TryAddScoped<CreditAccountReader>();
        Services.TryAddScoped<CreditDeductionReplays>();
        Services.TryAddScoped<CreditDeductionWriter>();
        Services.TryAddScoped<CreditDeductionBatch>();
        Services.TryAddScoped<Teams.CreditTeamSpending>();
        Services.TryAddScoped<Teams.CreditTeamDeductionWriter>();
        Services.TryAddScoped<Teams.CreditTeamDeductionFold>();
        Services.TryAddScoped<Teams.CreditTeamChecks>();
        Services.TryAddScoped<Teams.CreditTeamHolds>();
        Services.TryAddScoped<Teams.CreditTeamSplitCapture>();
        Services.TryAddScoped<Teams.CreditTeamUseRefunds>();
        Services.TryAddScoped<CreditDeductions>();
        Services.TryAddScoped<CreditGrants>();
        Services.TryAddScoped<CreditAdjustments>();
        Services.TryAddScoped<CreditHistory>();
        Services.TryAddScoped<CreditExpiry>();
        Services.TryAddScoped<Transfers.CreditTransferMove>();
        Services.TryAddScoped<Transfers.CreditTransfers>();
        Services.TryAddScoped<CreditService>();
        Services.TryAddSingleton<CreditDeductionBatcher>();
        Services.TryAddScoped<ICreditService>(sp => sp.GetRequiredService<CreditService>());
        Services.TryAddScoped<CreditClawbacks>();
        Services.TryAddScoped<CreditReferralRewards>();
        Services.TryAddScoped<ICreditReferralService, CreditReferralService>();
        Services.TryAddScoped<Gifts.CreditGiftHold>();
        Services.TryAddScoped<Gifts.CreditGiftRedemption>();
        Services.TryAddScoped<Gifts.CreditGiftReversals>();
        Services.TryAddSingleton<Gifts.CreditGiftRedeemLimiter>();
        Services.TryAddScoped<ICreditGiftService, Gifts.CreditGiftService>();
        Services.TryAddScoped<Subscriptions.CreditSubscriptionGrants>();
        Services.TryAddScoped<Subscriptions.CreditSubscriptions>();
        Services.TryAddSingleton<TopUps.CreditTopUpTriggers>();
        Services.TryAddScoped<TopUps.CreditAutoTopUps>();
        Services.TryAddScoped<TopUps.CreditTopUpCharges>();
        Services.TryAddScoped<CreditPurchaseReversals>();
        Services.TryAddScoped<CreditFreePackages>();
        Services.TryAddScoped<CreditPurchaseService>();
        Services.TryAddScoped<ICreditPurchaseService>(sp => sp.GetRequiredService<CreditPurchaseService>());
        Services.TryAddScoped<Teams.CreditTeamRows>();
        Services.TryAddScoped<Teams.CreditTeamCommands>();
        Services.TryAddScoped<Teams.CreditTeamMirror>();
        Services.TryAddScoped<Teams.CreditTeamActivity>();
        Services.TryAddScoped<ICreditTeamService, Teams.CreditTeamService>();
        Services.TryAddScoped<ICreditReservationService, CreditReservationService>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, CreditExpirySweeper>());
        Services.TryAddSingleton<Events.CreditEventDispatcher>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Events.CreditEventDispatcher>(
            sp => sp.GetRequiredService<Events.CreditEventDispatcher>()));
        Services.TryAddScoped<CreditUsageCells>();
        Services.TryAddScoped<CreditUserUsage>();
        Services.TryAddScoped<CreditPurchaseAnalytics>();
        Services.TryAddScoped<ICreditAnalytics, CreditAnalytics>();
        Services.TryAddScoped<ICreditReconciliation, CreditReconciliation>();
        return this;
    }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> (scoped) for every <see cref="ICreditEventHandler{TEvent}"/> it
    /// implements; <c>ICreditEventHandler&lt;CreditEvent&gt;</c> gets every event. Events reach it after their change
    /// committed, at least once, from the outbox dispatcher that <see cref="UseEntityFrameworkCore{TContext}"/> runs as a
    /// hosted service. Registering the same handler twice is harmless.
    /// </summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="THandler"/> implements no <see cref="ICreditEventHandler{TEvent}"/>.</exception>
    public CreditsBuilder AddEventHandler<THandler>()
        where THandler : class
    {
        var handled = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICreditEventHandler<>)).ToList();
        if (handled.Count == 0)
        {
            throw new ArgumentException($"'{typeof(THandler)}' implements no ICreditEventHandler<TEvent>.", nameof(THandler));
        }

        foreach (var contract in handled)
        {
            Services.TryAddEnumerable(ServiceDescriptor.Scoped(contract, typeof(THandler)));
        }

        return this;
    }
}
