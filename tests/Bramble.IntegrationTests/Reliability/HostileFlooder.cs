using System.Diagnostics;
using Bramble.IntegrationTests.Ingest;
using Bramble.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// An agent that sends valid reports back to back, as fast as HTTP/2 flow control lets it, without waiting for acks
/// (it does read them, so it is greedy, not broken).
/// </summary>
public sealed class HostileFlooder : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<AgentMessage, AggregatorMessage> _call;
    private readonly string _node;
    private ulong _lastAcked;
    private Task _receiveLoop = Task.CompletedTask;

    public HostileFlooder(string grpcUrl, string node)
    {
        _node = node;
        _channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler(), DisposeHttpClient = true });
        _call = new AgentGateway.AgentGatewayClient(_channel).Connect();
    }

    public ulong Sent { get; private set; }

    public ulong LastAcked => Interlocked.Read(ref _lastAcked);

    public string? Failure { get; private set; }

    /// <summary>Hello, then reports back to back until <paramref name="duration"/> has passed (bounded in count too).</summary>
    public async Task FloodAsync(TimeSpan duration, int maxReports)
    {
        await _call.RequestStream.WriteAsync(new AgentMessage { Hello = RawAgent.HelloFor(_node) });
        using (var welcome = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            if (!await _call.ResponseStream.MoveNext(welcome.Token) || _call.ResponseStream.Current.Welcome is null)
            {
                throw new InvalidOperationException($"{_node}: no Welcome");
            }
        }

        _receiveLoop = ReceiveLoopAsync();
        var clock = Stopwatch.StartNew();
        var report = RawAgent.ReportNumbered(1);
        report.Probes.Add(new ProbeOutcome { Probe = "kubelet", Status = ProbeStatus.Ok, Detail = new string('f', 200) });
        var message = new AgentMessage { Report = report };
        try
        {
            while (clock.Elapsed < duration && Sent < (ulong)maxReports)
            {
                report.Seq = Sent + 1;
                await _call.RequestStream.WriteAsync(message);
                Sent++;
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException)
        {
            Failure = $"send: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Waits (bounded) until the aggregator has acknowledged every report sent.</summary>
    public async Task<bool> WaitAllAckedAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (LastAcked < Sent && Failure is null && clock.Elapsed < timeout)
        {
            await Task.Delay(50);
        }

        return LastAcked >= Sent;
    }

    public void Dispose()
    {
        _call.Dispose();
        _receiveLoop.ContinueWith(static _ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(5));
        _channel.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (_call.ResponseStream.Current.Ack is { } ack)
                {
                    Interlocked.Exchange(ref _lastAcked, Math.Max(LastAcked, ack.Seq));
                }
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            Failure ??= e is RpcException { StatusCode: StatusCode.Cancelled } ? null : $"receive: {e.Message}";
        }
    }
}
