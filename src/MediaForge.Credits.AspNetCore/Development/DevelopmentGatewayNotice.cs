using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.AspNetCore.Development;

/// <summary>Says at start-up whether the development gateway is on (a warning: payments are simulated) or off (real Stripe).</summary>
internal sealed partial class DevelopmentGatewayNotice(
    DevelopmentGatewayState state,
    IOptions<CreditsDevelopmentOptions> options,
    ILogger<DevelopmentGatewayNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (state.IsActive)
        {
            LogOn(options.Value.CheckoutPath);
        }
        else
        {
            LogOff();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning,
        Message = "MediaForge.Credits development gateway is ON: checkout is simulated at {CheckoutPath} and no money moves; " +
                  "development Clerk deliveries are signed with a local secret. Never use it in production.")]
    private partial void LogOn(string checkoutPath);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information,
        Message = "MediaForge.Credits development gateway is off: a Stripe client is configured (STRIPE_SECRET_KEY or a host IStripeClient).")]
    private partial void LogOff();
}
