using System.Diagnostics;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// A well-behaved simulated bramble-agent over real gRPC: its own HTTP/2 connection, a Hello, then reports the test
/// builds, each numbered and timed until the cumulative ack that covers it. It never reconnects: a broken stream is
/// recorded in <see cref="Failure"/>, which is what "no disconnect" is asserted on.
/// </summary>
public sealed class SoakAgent : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<ulong, long> _sentAt = [];
    private readonly List<double> _latenciesMs = [];
    private readonly Lock _gate = new();
    private AsyncDuplexStreamingCall<AgentMessage, AggregatorMessage>? _call;
    private Task _receiveLoop = Task.CompletedTask;
    private ulong _lastSent;
    private ulong _lastAcked;
    private long _rejects;
    private long _commands;
    private volatile string? _failure;

    public SoakAgent(string grpcUrl, string nodeName, string? mac = null)
    {
        NodeName = nodeName;
        Mac = mac;
        _channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions
        {
            // One connection per agent, as on a real cluster; keep-alive pings as the real agent's defaults would.
            HttpHandler = new SocketsHttpHandler
            {
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
                ConnectTimeout = TimeSpan.FromSeconds(30),
            },
            DisposeHttpClient = true,
        });
    }

    public string NodeName { get; }

    public string? Mac { get; }

    public ulong LastSent => Interlocked.Read(ref _lastSent);

    public ulong LastAcked => Interlocked.Read(ref _lastAcked);

    public long Rejects => Interlocked.Read(ref _rejects);

    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>Why the stream broke, or null while it is open.</summary>
    public string? Failure => _failure;

    /// <summary>Send-to-ack time of every acknowledged report, in milliseconds.</summary>
    public IReadOnlyList<double> LatenciesMs
    {
        get
        {
            lock (_gate)
            {
                return [.. _latenciesMs];
            }
        }
    }

    /// <summary>Opens the stream, says Hello (with this node's MAC on eth0, when given) and waits for the Welcome.</summary>
    public async Task ConnectAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        _call = new AgentGateway.AgentGatewayClient(_channel).Connect(cancellationToken: CancellationToken.None);
        var hello = new Hello
        {
            NodeName = NodeName,
            BootId = Guid.NewGuid().ToString("D"),
            InstanceId = Guid.NewGuid().ToString("D"),
            AgentVersion = "0.0.0-soak",
            ProtocolVersion = 1,
            Capabilities = { Capability.ProbeNfs, Capability.ProbeVip, Capability.ProbeKubelet, Capability.ProbeVitals },
            StartedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
            ReportInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
        };
        if (Mac is not null)
        {
            hello.Interfaces.Add(new Protos.V1.NetworkInterface { Name = "eth0", Mac = Mac, Up = true });
        }

        await _call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, deadline.Token);
        if (!await _call.ResponseStream.MoveNext(deadline.Token))
        {
            throw new InvalidOperationException($"{NodeName}: the stream ended before a Welcome");
        }

        var welcome = _call.ResponseStream.Current.Welcome
            ?? throw new InvalidOperationException($"{NodeName}: expected a Welcome, got {_call.ResponseStream.Current}");
        _lastSent = welcome.LastSeq;
        _lastAcked = welcome.LastSeq;
        _receiveLoop = ReceiveLoopAsync(_call.ResponseStream);
    }

    /// <summary>Numbers the report (seq, node, observed now) and sends it; false when the stream is already broken.</summary>
    public async Task<bool> SendAsync(Report report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        var call = _call ?? throw new InvalidOperationException("connect first");
        if (_failure is not null)
        {
            return false;
        }

        await _writeGate.WaitAsync(ct);
        try
        {
            var seq = _lastSent + 1;
            report.Seq = seq;
            report.NodeName = NodeName;
            report.ObservedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow());
            lock (_gate)
            {
                _sentAt[seq] = Stopwatch.GetTimestamp();
            }

            Interlocked.Exchange(ref _lastSent, seq);
            await call.RequestStream.WriteAsync(new AgentMessage { Report = report }, ct);
            return true;
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException)
        {
            _failure ??= $"send: {e.GetType().Name}: {e.Message}";
            return false;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Waits until every report sent so far is acknowledged; false when that did not happen in time or the stream broke.</summary>
    public async Task<bool> WaitAllAckedAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        // Bounded by the timeout; a 20 ms poll is plenty for an end-of-phase check.
        while (LastAcked < LastSent && _failure is null && clock.Elapsed < timeout)
        {
            await Task.Delay(20);
        }

        return LastAcked >= LastSent && _failure is null;
    }

    public async ValueTask DisposeAsync()
    {
        _call?.Dispose();
        await _receiveLoop.ContinueWith(static _ => { }, TaskScheduler.Default);
        _channel.Dispose();
        _writeGate.Dispose();
    }

    private async Task ReceiveLoopAsync(IAsyncStreamReader<AggregatorMessage> responses)
    {
        try
        {
            while (await responses.MoveNext(CancellationToken.None))
            {
                var message = responses.Current;
                switch (message.BodyCase)
                {
                    case AggregatorMessage.BodyOneofCase.Ack:
                        OnAck(message.Ack.Seq);
                        break;
                    case AggregatorMessage.BodyOneofCase.Reject:
                        Interlocked.Increment(ref _rejects);
                        break;
                    case AggregatorMessage.BodyOneofCase.Command:
                        Interlocked.Increment(ref _commands);
                        break;
                    default:
                        break;
                }
            }

            _failure ??= "receive: the aggregator ended the stream";
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (e is not RpcException { StatusCode: StatusCode.Cancelled } and not ObjectDisposedException)
            {
                _failure ??= $"receive: {e.GetType().Name}: {e.Message}";
            }
        }
    }

    private void OnAck(ulong seq)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            for (var s = _lastAcked + 1; s <= seq; s++)
            {
                if (_sentAt.Remove(s, out var sentAt))
                {
                    _latenciesMs.Add(Stopwatch.GetElapsedTime(sentAt, now).TotalMilliseconds);
                }
            }

            if (seq > _lastAcked)
            {
                Interlocked.Exchange(ref _lastAcked, seq);
            }
        }
    }
}
