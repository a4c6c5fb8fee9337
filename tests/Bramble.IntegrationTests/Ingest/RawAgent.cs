using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.IntegrationTests.Ingest;

/// <summary>A hand-driven agent stream over a real gRPC channel, for sending what a well-behaved agent never would.</summary>
public sealed class RawAgent : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<AgentMessage, AggregatorMessage> _call;

    /// <param name="headers">Call metadata, e.g. an "authorization: Bearer …" token; none by default.</param>
    public RawAgent(string grpcUrl, Metadata? headers = null)
    {
        _channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { MaxSendMessageSize = null });
        _call = new AgentGateway.AgentGatewayClient(_channel).Connect(headers);
    }

    public static Hello HelloFor(string node) => new()
    {
        NodeName = node,
        BootId = Guid.NewGuid().ToString("D"),
        InstanceId = Guid.NewGuid().ToString("D"),
        AgentVersion = "test",
        ProtocolVersion = 1,
    };

    public static Report ReportNumbered(ulong seq) => new()
    {
        Seq = seq,
        ObservedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero)),
        Probes = { new ProbeOutcome { Probe = "vitals", Status = ProbeStatus.Ok } },
    };

    public Task SendAsync(AgentMessage message) => _call.RequestStream.WriteAsync(message);

    public Task<Welcome> HelloAsync(string node) => HelloAsync(HelloFor(node));

    public async Task<Welcome> HelloAsync(Hello hello)
    {
        await SendAsync(new AgentMessage { Hello = hello });
        var first = await NextAsync();
        return first.Welcome ?? throw new InvalidOperationException($"expected a welcome, got {first}");
    }

    public async Task<AggregatorMessage> NextAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        return await _call.ResponseStream.MoveNext(timeout.Token)
            ? _call.ResponseStream.Current
            : throw new InvalidOperationException("the aggregator closed the stream");
    }

    public void Dispose()
    {
        _call.Dispose();
        _channel.Dispose();
    }
}
