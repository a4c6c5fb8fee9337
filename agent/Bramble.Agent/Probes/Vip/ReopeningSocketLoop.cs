using System.Net.Sockets;
using Bramble.Agent.Linux.Arp;

namespace Bramble.Agent.Probes.Vip;

/// <summary>What a <see cref="ReopeningSocketLoop"/> says, through its listener's own log events.</summary>
public sealed record SocketLoopLog(
    Action<string> Stopped,
    Action<Exception> Failed,
    Action<string, double> Lost,
    Action<string, int> StillDown);

/// <summary>
/// Keeps a raw-socket listener on one interface alive: when the interface goes away its socket errors out, and it is
/// closed and reopened (by name, so a new index is picked up) every <see cref="ReopenDelay"/> until the agent stops.
/// A missing capability ends the loop: reopening cannot fix it.
/// </summary>
public static class ReopeningSocketLoop
{
    /// <summary>Pause before reopening a lost socket, so a flapping interface cannot spin the loop.</summary>
    public static TimeSpan ReopenDelay { get; } = TimeSpan.FromSeconds(1);

    /// <param name="serve">Opens the socket, calls its first argument once it is open, and receives until it fails.</param>
    public static async Task RunAsync(Func<Action, CancellationToken, Task> serve, SocketLoopLog log, TimeProvider time, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(serve);
        ArgumentNullException.ThrowIfNull(log);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                await serve(() => failures = 0, stoppingToken);
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ArpChannelUnavailableException e) when (e.MissingCapability)
            {
                log.Stopped(e.Message);
                return;
            }
            catch (ArpChannelUnavailableException e)
            {
                reason = e.Message;
            }
            catch (SocketException e)
            {
                reason = e.SocketErrorCode.ToString();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad frame or socket state must not end the listener (an unhandled exception ends the host).
                log.Failed(e);
                reason = e.GetType().Name;
            }

            // Warn once per outage; an interface gone for hours must not write a warning every second.
            if (++failures == 1)
            {
                log.Lost(reason, ReopenDelay.TotalMilliseconds);
            }
            else
            {
                log.StillDown(reason, failures);
            }

            try
            {
                await Task.Delay(ReopenDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
