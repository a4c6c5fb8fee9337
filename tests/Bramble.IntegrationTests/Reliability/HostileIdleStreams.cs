using Bramble.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// Many Connect streams over several HTTP/2 connections that never send a byte of message: no Hello, nothing. Each
/// call's headers open the stream on the aggregator, which then waits for a Hello.
/// </summary>
public sealed class HostileIdleStreams : IDisposable
{
    private readonly List<GrpcChannel> _channels = [];
    private readonly List<AsyncDuplexStreamingCall<AgentMessage, AggregatorMessage>> _calls = [];

    public HostileIdleStreams(string grpcUrl, int connections, int streamsPerConnection)
    {
        for (var c = 0; c < connections; c++)
        {
            // Its own handler per channel: its own TCP connection; Kestrel allows 100 streams on each by default.
            var channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler(), DisposeHttpClient = true });
            _channels.Add(channel);
            var client = new AgentGateway.AgentGatewayClient(channel);
            for (var s = 0; s < streamsPerConnection; s++)
            {
                _calls.Add(client.Connect());
            }
        }
    }

    public int Count => _calls.Count;

    /// <summary>How each stream ended, read (bounded by <paramref name="timeout"/>) from the response side.</summary>
    public async Task<Dictionary<string, int>> EndingsAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var endings = await Task.WhenAll(_calls.Select(async call =>
        {
            try
            {
                return await call.ResponseStream.MoveNext(deadline.Token) ? "a message" : "ended without a status";
            }
            catch (RpcException e)
            {
                return deadline.IsCancellationRequested ? "still open" : e.StatusCode.ToString();
            }
            catch (OperationCanceledException)
            {
                return "still open";
            }
        }));
        return endings.GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
    }

    public void Dispose()
    {
        foreach (var call in _calls)
        {
            call.Dispose();
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
