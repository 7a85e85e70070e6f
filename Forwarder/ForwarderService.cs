using Forwarder.Shipping;
using Forwarder.Tailing;

namespace Forwarder;

/// <summary>
/// Runs the two loops: tailing (files → queue) and shipping (queue → network). On stop, tailing ends first, the
/// shipper gets <see cref="DrainTimeout"/> to send what is queued, and then the offsets it confirmed are saved; lines
/// not sent by then are read again at the next start (at least once, never lost).
/// </summary>
internal sealed class ForwarderService(
    TailingLoop tailing,
    Shipper shipper,
    ShippingQueue queue,
    CollectorLink link,
    ILogger<ForwarderService> logger) : BackgroundService
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopShipping = new CancellationTokenSource();
        var shipping = Task.Run(() => shipper.RunAsync(stopShipping.Token), CancellationToken.None);
        try
        {
            await Task.Run(() => tailing.RunAsync(stoppingToken), CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            queue.Complete();
            stopShipping.CancelAfter(DrainTimeout);
            await shipping.ConfigureAwait(false);
            tailing.SaveFinalCheckpoints();
            await link.DisposeAsync().ConfigureAwait(false);
            ForwarderLog.Stopped(logger);
        }
    }
}
