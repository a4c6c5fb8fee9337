using Bramble.Agent.Hosting;
using Bramble.Agent.Reporting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Systemd;

/// <summary>
/// Holds host start-up (and so systemd's READY=1, sent when the host has started) until the first attempt to
/// reach the aggregator has finished, successfully or not, so `systemctl start` returns with a meaningful state.
/// </summary>
public sealed class ReadinessGate : IHostedService
{
    private readonly AggregatorConnection _connection;
    private readonly TimeProvider _time;
    private readonly TimeSpan _limit;

    public ReadinessGate(AggregatorConnection connection, TimeProvider time, IOptions<AgentOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _time = time;
        _limit = options.Value.ConnectTimeout + TimeSpan.FromSeconds(1);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _connection.FirstAttempt.WaitAsync(_limit, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Readiness must not wait forever on the network; the connection keeps trying in the background.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped (Ctrl-C, SIGTERM) while starting: nothing to wait for any more.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
