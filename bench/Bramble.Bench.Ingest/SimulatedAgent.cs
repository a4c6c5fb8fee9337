using System.Diagnostics;
using System.Globalization;
using Bramble.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.Bench.Ingest;

/// <summary>
/// One fake bramble-agent: its own HTTP/2 connection and report stream, a fresh boot, and reports sent as fast as
/// its window of unacknowledged reports allows, or paced at a fixed rate (a real agent's interval), each agent's
/// ticks offset by its index so a fleet's reports are spread over the period. Each ack releases the window and yields one latency sample per
/// report it newly covers (acks are cumulative and coalesced).
/// </summary>
internal sealed class SimulatedAgent : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly IngestMeasurement _measurement;
    private readonly TimeProvider _time;
    private readonly int _window;
    private readonly double _rate;
    private readonly int _index;

    // Send timestamp of each in-flight seq at [seq % window]: a slot is reused only after the ack that covers it.
    private readonly long[] _sentAt;
    private readonly SemaphoreSlim _freeSlots;
    private readonly AgentMessage _reportMessage;
    private AsyncDuplexStreamingCall<AgentMessage, AggregatorMessage>? _call;
    private Task _receiveLoop = Task.CompletedTask;
    private ulong _welcomeSeq;
    private ulong _lastSentSeq;
    private ulong _lastAckedSeq;
    private long _rejects;
    private long _acks;
    private volatile string? _failure;

    public SimulatedAgent(int index, Uri target, int window, double rate, IngestMeasurement measurement, TimeProvider time)
    {
        _rate = rate;
        _index = index;
        NodeName = string.Create(CultureInfo.InvariantCulture, $"bench-node-{index:D4}");
        BootId = Guid.NewGuid().ToString();
        InstanceId = Guid.NewGuid().ToString();
        _window = window;
        _sentAt = new long[window];
        _freeSlots = new SemaphoreSlim(window, window);
        _measurement = measurement;
        _time = time;
        _reportMessage = new AgentMessage { Report = ReportFactory.Create(new Random(index)) };
        _channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            // One connection per agent, as on a real cluster: no sharing of a pooled HTTP/2 connection.
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            DisposeHttpClient = true,
        });
    }

    public string NodeName { get; }

    public string BootId { get; }

    public string InstanceId { get; }

    public ulong LastAckedSeq => Volatile.Read(ref _lastAckedSeq);

    public ulong LastSentSeq => Volatile.Read(ref _lastSentSeq);

    /// <summary>Reports acknowledged since this stream's Welcome.</summary>
    public ulong AckedCount => LastAckedSeq - _welcomeSeq;

    public ulong InFlight => LastSentSeq - LastAckedSeq;

    public long Rejects => Interlocked.Read(ref _rejects);

    /// <summary>Ack messages received (each may cover many reports).</summary>
    public ulong Acks => (ulong)Interlocked.Read(ref _acks);

    /// <summary>Why the stream broke, or null while it is healthy.</summary>
    public string? Failure => _failure;

    public int SerializedReportBytes => _reportMessage.CalculateSize();

    /// <summary>Opens the stream, says Hello and waits for the Welcome.</summary>
    public async Task ConnectAsync(CancellationToken ct)
    {
        var client = new AgentGateway.AgentGatewayClient(_channel);
        _call = client.Connect(cancellationToken: CancellationToken.None);
        await _call.RequestStream.WriteAsync(new AgentMessage
        {
            Hello = new Hello
            {
                NodeName = NodeName,
                BootId = BootId,
                InstanceId = InstanceId,
                AgentVersion = "0.1.0-bench",
                ProtocolVersion = 1,
                Capabilities = { Capability.ProbeVitals, Capability.ProbeKubelet },
                StartedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            },
        }, ct);

        if (!await _call.ResponseStream.MoveNext(ct))
        {
            throw new InvalidOperationException($"{NodeName}: the stream ended before a Welcome");
        }

        var first = _call.ResponseStream.Current;
        if (first.BodyCase != AggregatorMessage.BodyOneofCase.Welcome)
        {
            throw new InvalidOperationException($"{NodeName}: expected a Welcome, got {first.BodyCase}");
        }

        _welcomeSeq = first.Welcome.LastSeq;
        _lastSentSeq = _welcomeSeq;
        _lastAckedSeq = _welcomeSeq;
        _receiveLoop = ReceiveLoopAsync(_call.ResponseStream);
    }

    /// <summary>Sends reports (paced, or as fast as the window allows) until <paramref name="stop"/> fires or the stream breaks.</summary>
    public async Task SendLoopAsync(CancellationToken stop)
    {
        var call = _call ?? throw new InvalidOperationException("connect first");
        var report = _reportMessage.Report;
        var period = _rate > 0 ? (long)(Stopwatch.Frequency / _rate) : 0;
        var next = Stopwatch.GetTimestamp() + (period * (_index % 1000) / 1000);
        try
        {
            while (!stop.IsCancellationRequested && _failure is null)
            {
                if (period > 0)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _time, stop);
                    }

                    next += period;
                }

                await _freeSlots.WaitAsync(stop);
                var seq = _lastSentSeq + 1;
                ReportFactory.Advance(report, seq, _time.GetUtcNow(), (uint)(seq - LastAckedSeq));
                _sentAt[(int)(seq % (ulong)_window)] = Stopwatch.GetTimestamp();
                Volatile.Write(ref _lastSentSeq, seq);
                // The message is serialized before WriteAsync completes, so the one Report object can be reused.
                await call.RequestStream.WriteAsync(_reportMessage, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException)
        {
            _failure ??= $"send: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Waits until every sent report is acknowledged; false when that did not happen in time.</summary>
    public async Task<bool> WaitForAcksAsync(CancellationToken ct)
    {
        // Bounded by ct (the drain deadline); a 5 ms poll is plenty for an end-of-run check.
        while (LastAckedSeq < LastSentSeq && _failure is null)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), _time, ct);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return LastAckedSeq >= LastSentSeq;
    }

    /// <summary>Ends the stream as an agent that shuts down does: completes its side and lets the server finish.</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        if (_call is null)
        {
            return;
        }

        try
        {
            await _call.RequestStream.CompleteAsync().WaitAsync(ct);
            await _receiveLoop.WaitAsync(ct);
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException or TimeoutException)
        {
            _failure ??= $"close: {e.GetType().Name}: {e.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        _call?.Dispose();
        await _receiveLoop.ContinueWith(static _ => { }, TaskScheduler.Default);
        _channel.Dispose();
        _freeSlots.Dispose();
    }

    private async Task ReceiveLoopAsync(IAsyncStreamReader<AggregatorMessage> responses)
    {
        try
        {
            // Ends when the server completes the call after our CompleteAsync, or when the call is disposed.
            while (await responses.MoveNext(CancellationToken.None))
            {
                var message = responses.Current;
                switch (message.BodyCase)
                {
                    case AggregatorMessage.BodyOneofCase.Ack:
                        Interlocked.Increment(ref _acks);
                        OnAck(message.Ack.Seq);
                        break;
                    case AggregatorMessage.BodyOneofCase.Reject:
                        Interlocked.Increment(ref _rejects);
                        _failure ??= $"rejected seq {message.Reject.Seq}: {message.Reject.Reason}: {message.Reject.Detail}";
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (e is not RpcException { StatusCode: StatusCode.Cancelled })
            {
                _failure ??= $"receive: {e.GetType().Name}: {e.Message}";
            }
        }
    }

    private void OnAck(ulong ackSeq)
    {
        var previous = _lastAckedSeq;
        if (ackSeq <= previous)
        {
            return;
        }

        if (ackSeq > LastSentSeq)
        {
            _failure ??= $"ack {ackSeq} covers reports never sent (last sent {LastSentSeq})";
            return;
        }

        var newlyCovered = (int)(ackSeq - previous);
        if (_measurement.Recording)
        {
            var now = Stopwatch.GetTimestamp();
            for (var seq = previous + 1; seq <= ackSeq; seq++)
            {
                var elapsed = Stopwatch.GetElapsedTime(_sentAt[(int)(seq % (ulong)_window)], now);
                _measurement.AckLatencies.Record((long)elapsed.TotalMicroseconds);
            }
        }

        Volatile.Write(ref _lastAckedSeq, ackSeq);
        // Slots free up only after their send times were read: the sender may overwrite them right away.
        _freeSlots.Release(newlyCovered);
    }
}
