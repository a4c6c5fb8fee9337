using System.Collections.Concurrent;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>Answers every ping with <see cref="Result"/> and remembers whom it was asked to ping.</summary>
internal sealed class FakeRpcPinger : IRpcPinger
{
    public RpcPingResult Result { get; set; } = new(RpcPingOutcome.Answered, TimeSpan.FromMilliseconds(3), string.Empty);

    public ConcurrentQueue<(string Host, int Port, uint Version)> Pinged { get; } = new();

    public Task<RpcPingResult> PingAsync(string host, int port, uint version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Pinged.Enqueue((host, port, version));
        return Task.FromResult(Result);
    }
}
