using System.Globalization;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// An in-process stand-in for one bramble-agent, speaking the real protocol over its own HTTP/2 connection: Hello with
/// a boot id, reports numbered per boot, an outbox of unacknowledged reports that is replayed after every reconnect
/// (minus what the Welcome says the aggregator holds), cumulative acks. It keeps reporting into its outbox while the
/// aggregator is away, as the real agent does, and records every Welcome and the highest ack it ever received so a
/// test can check that nothing acknowledged was forgotten. Hundreds of them fit in one test process.
/// </summary>
public sealed class SimulatedAgent : IAsyncDisposable
{
    private static readonly TimeSpan WelcomeTimeout = TimeSpan.FromSeconds(20);
    private readonly GrpcChannel _channel;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();

    // Unacknowledged reports in seq order: what a real agent's outbox holds.
    private readonly Queue<Report> _outbox = new();
    private readonly List<ulong> _welcomes = [];
    private readonly Random _random;
    private ulong _lastSeq;
    private ulong _highestAcked;
    private long _connections;
    private volatile bool _producing = true;
    private volatile bool _connected;
    private volatile bool _rootReadOnly;
    private string? _violation;
    private string? _lastError;
    private CancellationTokenSource? _currentStream;

    public SimulatedAgent(string nodeName, string grpcUrl, TimeSpan interval, int seed)
    {
        NodeName = nodeName;
        BootId = Guid.NewGuid().ToString("D");
        InstanceId = Guid.NewGuid().ToString("D");
        _interval = interval;
        _random = new Random(seed);
        _channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions
        {
            // One connection per agent, as on a real cluster: no sharing of a pooled HTTP/2 connection.
            HttpHandler = new SocketsHttpHandler
            {
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                ConnectTimeout = TimeSpan.FromSeconds(5),
            },
            DisposeHttpClient = true,
        });
    }

    public string NodeName { get; }

    public string BootId { get; }

    public string InstanceId { get; }

    public bool Connected => _connected;

    /// <summary>Streams that reached a Welcome.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public ulong LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _lastSeq;
            }
        }
    }

    /// <summary>The highest seq any aggregator acknowledged to this agent.</summary>
    public ulong HighestAcked
    {
        get
        {
            lock (_gate)
            {
                return _highestAcked;
            }
        }
    }

    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Count;
            }
        }
    }

    /// <summary>The LastSeq of every Welcome received, in order.</summary>
    public IReadOnlyList<ulong> Welcomes
    {
        get
        {
            lock (_gate)
            {
                return [.. _welcomes];
            }
        }
    }

    /// <summary>A broken protocol promise seen by this agent (an ack or Welcome that contradicts an earlier ack), or null.</summary>
    public string? Violation => Volatile.Read(ref _violation);

    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>A fault to inject: reports made from now on say the root file system is read-only.</summary>
    public bool RootReadOnly
    {
        get => _rootReadOnly;
        set => _rootReadOnly = value;
    }

    /// <summary>Stops making new reports; what is in the outbox is still sent.</summary>
    public void StopProducing() => _producing = false;

    /// <summary>Reports, connects and reconnects until <paramref name="stop"/> fires. Never throws.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var producer = ProduceAsync(stop);
        // Bounded by stop; each failed attempt waits 0.2–0.5 s, as a real agent backs off (shorter, for a test).
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await StreamOnceAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or HttpRequestException or OperationCanceledException)
            {
                Volatile.Write(ref _lastError, $"{e.GetType().Name}: {e.Message}");
            }
            finally
            {
                _connected = false;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 + _random.Next(300)), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await producer;
    }

    private async Task ProduceAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(_random.Next((int)_interval.TotalMilliseconds + 1)), stop);
            while (!stop.IsCancellationRequested)
            {
                if (_producing)
                {
                    lock (_gate)
                    {
                        _lastSeq++;
                        _outbox.Enqueue(NewReport(_lastSeq));
                    }
                }

                await Task.Delay(_interval, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Report NewReport(ulong seq) => new()
    {
        Seq = seq,
        ObservedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
        Probes =
        {
            new ProbeOutcome { Probe = "vitals", Status = ProbeStatus.Ok },
            new ProbeOutcome { Probe = "kubelet", Status = ProbeStatus.Ok },
        },
        Vitals = new NodeVitals { Load1 = 0.5, MemoryTotalBytes = 8UL << 30, MemoryAvailableBytes = 4UL << 30, ClockSynchronized = true, RootReadOnly = _rootReadOnly },
    };

    /// <summary>Ends the current stream as a dropped connection would; the agent reconnects after its back-off.</summary>
    public void DropStream()
    {
        try
        {
            Volatile.Read(ref _currentStream)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That stream has just ended by itself.
        }
    }

    private async Task StreamOnceAsync(CancellationToken stop)
    {
        using var streamEnded = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Volatile.Write(ref _currentStream, streamEnded);
        using var call = new AgentGateway.AgentGatewayClient(_channel).Connect(cancellationToken: streamEnded.Token);
        await call.RequestStream.WriteAsync(new AgentMessage
        {
            Hello = new Hello
            {
                NodeName = NodeName,
                BootId = BootId,
                InstanceId = InstanceId,
                AgentVersion = "0.0.0-simulated",
                ProtocolVersion = 1,
                Capabilities = { Capability.ProbeVitals, Capability.ProbeKubelet },
            },
        }, stop);

        using (var welcomeDeadline = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            welcomeDeadline.CancelAfter(WelcomeTimeout);
            if (!await call.ResponseStream.MoveNext(welcomeDeadline.Token) || call.ResponseStream.Current.Welcome is not { } welcome)
            {
                throw new InvalidOperationException("no Welcome");
            }

            OnWelcome(welcome.LastSeq);
        }

        _connected = true;
        var receiver = ReceiveAcksAsync(call.ResponseStream, streamEnded);
        try
        {
            // Send everything unacknowledged from the start (the replay), then whatever is produced next.
            ulong sent = 0;
            while (!streamEnded.IsCancellationRequested)
            {
                Report? next;
                lock (_gate)
                {
                    next = _outbox.FirstOrDefault(r => r.Seq > sent);
                }

                if (next is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), streamEnded.Token);
                    continue;
                }

                await call.RequestStream.WriteAsync(new AgentMessage { Report = next }, streamEnded.Token);
                sent = next.Seq;
            }
        }
        finally
        {
            Volatile.Write(ref _currentStream, null);
            await streamEnded.CancelAsync();
            await receiver;
        }
    }

    private async Task ReceiveAcksAsync(IAsyncStreamReader<AggregatorMessage> responses, CancellationTokenSource streamEnded)
    {
        try
        {
            while (await responses.MoveNext(streamEnded.Token))
            {
                var message = responses.Current;
                if (message.Ack is { } ack)
                {
                    OnAck(ack.Seq);
                }
                else if (message.Reject is { } reject)
                {
                    Fail($"rejected seq {reject.Seq}: {reject.Reason}: {reject.Detail}");
                }
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            Volatile.Write(ref _lastError, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            // The stream is gone: the sender stops and the outer loop reconnects.
            await streamEnded.CancelAsync();
        }
    }

    private void OnWelcome(ulong lastSeq)
    {
        lock (_gate)
        {
            _welcomes.Add(lastSeq);
            if (lastSeq < _highestAcked)
            {
                Fail($"Welcome says the aggregator holds up to seq {lastSeq}, but seq {_highestAcked} was acknowledged earlier");
            }

            if (lastSeq > _lastSeq)
            {
                Fail($"Welcome says the aggregator holds up to seq {lastSeq}, beyond the last seq made ({_lastSeq})");
            }

            DropThrough(lastSeq);
        }

        Interlocked.Increment(ref _connections);
    }

    private void OnAck(ulong seq)
    {
        lock (_gate)
        {
            if (seq > _lastSeq)
            {
                Fail($"ack {seq} covers a seq never made (last {_lastSeq})");
            }

            _highestAcked = Math.Max(_highestAcked, seq);
            DropThrough(seq);
        }
    }

    private void DropThrough(ulong seq)
    {
        while (_outbox.TryPeek(out var head) && head.Seq <= seq)
        {
            _outbox.Dequeue();
        }
    }

    private void Fail(string what) =>
        Interlocked.CompareExchange(ref _violation, string.Create(CultureInfo.InvariantCulture, $"{NodeName}: {what}"), null);

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
