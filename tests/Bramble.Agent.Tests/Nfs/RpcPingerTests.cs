using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>The RPC NULL ping against small TCP servers on loopback written for the test: each failure is told apart.</summary>
public sealed class RpcPingerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly RpcPinger _pinger = new(TimeProvider.System);

    [Fact]
    public async Task Ping_ServerAnswersSuccess_IsReachableWithARoundTrip()
    {
        using var server = new LoopbackRpcServer(acceptStat: 0);

        var result = await _pinger.PingAsync("127.0.0.1", server.Port, 3, Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(RpcPingOutcome.Answered, result.Outcome);
        Assert.True(result.Reachable);
        Assert.NotNull(result.RoundTrip);
        Assert.Equal((100003u, 3u, 0u), await server.LastCall.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Ping_ServerWithoutNfs_IsRejectedAsProgramUnavailable()
    {
        using var server = new LoopbackRpcServer(acceptStat: 1);

        var result = await _pinger.PingAsync("127.0.0.1", server.Port, 3, Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(RpcPingOutcome.Rejected, result.Outcome);
        Assert.Contains("PROG_UNAVAIL", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_ServerThatAcceptsButNeverAnswers_TimesOut()
    {
        // Like a SIGSTOPped NFS server: the kernel still completes the TCP handshake.
        using var server = new LoopbackRpcServer(acceptStat: null);

        var result = await _pinger.PingAsync("127.0.0.1", server.Port, 3, Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(RpcPingOutcome.Timeout, result.Outcome);
        Assert.False(result.Reachable);
    }

    [Fact]
    public async Task Ping_NothingListening_IsRefused()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var result = await _pinger.PingAsync("127.0.0.1", port, 3, Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(RpcPingOutcome.Refused, result.Outcome);
    }

    /// <summary>Accepts one connection, reads one call record, and answers with the given accept_stat (null: never answers).</summary>
    private sealed class LoopbackRpcServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource<(uint Program, uint Version, uint Procedure)> _call = new();

        public LoopbackRpcServer(uint? acceptStat)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = ServeAsync(acceptStat);
        }

        public int Port { get; }

        public Task<(uint Program, uint Version, uint Procedure)> LastCall => _call.Task;

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync(uint? acceptStat)
        {
            try
            {
                using var client = await _listener.AcceptSocketAsync(_stop.Token);
                var call = new byte[44];
                for (var read = 0; read < call.Length;)
                {
                    var n = await client.ReceiveAsync(call.AsMemory(read), SocketFlags.None, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                var xid = BinaryPrimitives.ReadUInt32BigEndian(call.AsSpan(4));
                _call.TrySetResult((BinaryPrimitives.ReadUInt32BigEndian(call.AsSpan(16)), BinaryPrimitives.ReadUInt32BigEndian(call.AsSpan(20)),
                    BinaryPrimitives.ReadUInt32BigEndian(call.AsSpan(24))));
                if (acceptStat is not { } stat)
                {
                    await Task.Delay(System.Threading.Timeout.Infinite, _stop.Token);
                    return;
                }

                var reply = new byte[28];
                uint[] words = [0x8000_0018u, xid, 1, 0, 0, 0, stat];
                for (var i = 0; i < words.Length; i++)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(i * 4), words[i]);
                }

                await client.SendAsync(reply, SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
