using System.Diagnostics;
using Bramble.IntegrationTests.Ingest;
using Bramble.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// A slowloris: says Hello and sends reports but never reads a single response, not even the Welcome, so the
/// aggregator's writes fill HTTP/2 flow control (the client's 64 KiB stream window, then Kestrel's buffer). Every other
/// report names another node, so each draws a Reject whose detail repeats this stream's long node name: the
/// responses pile up fast, as acks alone (a few bytes each, coalesced) would take minutes to.
/// </summary>
public sealed class HostileNonReader : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<AgentMessage, AggregatorMessage> _call;

    public HostileNonReader(string grpcUrl)
    {
        _channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler(), DisposeHttpClient = true });
        _call = new AgentGateway.AgentGatewayClient(_channel).Connect();
    }

    /// <summary>A valid node name of 240 characters: every Reject sent to this stream carries it.</summary>
    public static string NodeName { get; } = "slowloris-" + new string('s', 230);

    public ulong Sent { get; private set; }

    /// <summary>How the stream ended from this side (a failed write), or null while writes still succeed.</summary>
    public string? EndedBy { get; private set; }

    public TimeSpan? EndedAfter { get; private set; }

    /// <summary>Sends one report every <paramref name="pace"/> until a write fails or the time is up (bounded in count too).</summary>
    public async Task RunAsync(TimeSpan duration, TimeSpan pace, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await _call.RequestStream.WriteAsync(new AgentMessage { Hello = RawAgent.HelloFor(NodeName) }, ct);
            for (var i = 0; i < 1_000_000 && clock.Elapsed < duration; i++)
            {
                var report = RawAgent.ReportNumbered(Sent + 1);
                if (i % 2 == 1)
                {
                    report.NodeName = "someone-else";
                }

                await _call.RequestStream.WriteAsync(new AgentMessage { Report = report }, ct);
                Sent++;
                await Task.Delay(pace, ct);
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            EndedBy = $"{e.GetType().Name}: {e.Message}";
            EndedAfter = clock.Elapsed;
        }
    }

    public void Dispose()
    {
        _call.Dispose();
        _channel.Dispose();
    }
}
