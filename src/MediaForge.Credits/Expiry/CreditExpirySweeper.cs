using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MediaForge.Credits.Expiry;

/// <summary>
/// Writes lapsed reservations, lapsed credits and lapsed gifts every <see cref="CreditsOptions.ReservationSweepInterval"/>.
/// Gifts are swept whether or not they are enabled: a host that turns them off still gives pending gifts back.
/// </summary>
internal sealed partial class CreditExpirySweeper(
    IServiceScopeFactory scopes,
    IOptions<CreditsOptions> options,
    TimeProvider time,
    ILogger<CreditExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReservationSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var expired = await scope.ServiceProvider.GetRequiredService<ICreditReservationService>()
                    .ExpireReservationsAsync(stoppingToken).ConfigureAwait(false);
                var credits = await scope.ServiceProvider.GetRequiredService<ICreditService>()
                    .ExpireCreditsAsync(stoppingToken).ConfigureAwait(false);
                var gifts = await scope.ServiceProvider.GetRequiredService<ICreditGiftService>()
                    .ExpireGiftsAsync(stoppingToken).ConfigureAwait(false);
                if (expired > 0 || credits > 0 || gifts > 0)
                {
                    LogExpired(expired, credits, gifts);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogSweepFailed(error);
            }
        }
    }

    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "Expired {Reservations} lapsed reservations, {Credits} lapsed credits and {Gifts} lapsed gifts")]
    private partial void LogExpired(int reservations, long credits, int gifts);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Error, Message = "The credit expiry sweep failed; it runs again at the next interval")]
    private partial void LogSweepFailed(Exception error);
}
