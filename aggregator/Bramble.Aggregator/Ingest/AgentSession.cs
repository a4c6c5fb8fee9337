using System.Threading.Channels;
using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Grpc;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Engine.Cluster;
using Bramble.Engine.Nodes;
using Bramble.Engine.Vips;
using Bramble.Protos.V1;
using Grpc.Core;

namespace Bramble.Aggregator.Ingest;

/// <summary>
/// One agent's report stream, from Hello to disconnect. A read loop validates and applies messages to the
/// node's ledger; a single writer sends Welcome, Rejects and cumulative Acks, each Ack only once the ledger
/// state it covers is durable. A bad message is refused and counted, and the stream goes on.
/// </summary>
public sealed partial class AgentSession : IDisposable
{
    // Rejects are advice to the agent; if it stops reading them they are dropped rather than queued forever.
    private const int MaxQueuedRejects = 256;

    private readonly NodeDirectory _nodes;
    private readonly LedgerFlusher _flusher;
    private readonly AggregatorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly string _peer;
    private readonly ICommandResultSink? _commandResults;
    private readonly VipOwnerTracker? _vips;
    private readonly AgentAuthenticator? _authenticator;
    private readonly AgentCredentials? _credentials;
    private readonly StreamCutMetrics? _cuts;
    private readonly Action? _abort;
    private readonly RulePassTrigger? _passes;
    private readonly TimeSpan _helloTimeout;
    private readonly TimeSpan _stalledWriteTimeout;

    // Armed around every write to the agent: it fires only when the agent has stopped reading (flow control full).
    private readonly CancellationTokenSource _writeStalled;
    private readonly Channel<AggregatorMessage> _rejects = Channel.CreateBounded<AggregatorMessage>(
        new BoundedChannelOptions(MaxQueuedRejects) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // Commands are rare (one in flight cluster-wide); the bound only guards against a stuck stream.
    private readonly Channel<AggregatorMessage> _commands = Channel.CreateBounded<AggregatorMessage>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Channel<bool> _wakeWriter = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Lock _ackGate = new();
    private readonly CancellationTokenSource _superseded = new();
    private ulong _ackSeq;
    private Task _ackDurable = Task.CompletedTask;

    public AgentSession(
        NodeDirectory nodes,
        LedgerFlusher flusher,
        AggregatorMetrics metrics,
        AggregatorOptions options,
        TimeProvider time,
        ILogger logger,
        string peer,
        ICommandResultSink? commandResults = null,
        VipOwnerTracker? vips = null,
        AgentAuthenticator? authenticator = null,
        AgentCredentials? credentials = null,
        StreamCutMetrics? cuts = null,
        Action? abort = null,
        RulePassTrigger? passes = null)
    {
        _passes = passes;
        _cuts = cuts;
        _abort = abort;
        _helloTimeout = options.HelloTimeout;
        _stalledWriteTimeout = options.StalledWriteTimeout;
        _writeStalled = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _authenticator = authenticator;
        _credentials = credentials;
        _commandResults = commandResults;
        _nodes = nodes;
        _flusher = flusher;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _maxMessageBytes = options.MaxMessageBytes;
        _peer = peer;
        _vips = vips;
    }

    public async Task RunAsync(
        IAsyncStreamReader<AgentMessage> requests,
        IServerStreamWriter<AggregatorMessage> responses,
        CancellationToken callCancelled)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(callCancelled, _superseded.Token, _writeStalled.Token);
        var ct = stop.Token;
        using var onStall = _writeStalled.Token.Register(static state => ((AgentSession)state!).CutStalled(), this);

        var (entry, hello) = await ReceiveHelloAsync(requests, callCancelled, ct);
        try
        {
            ulong lastSeq;
            Task durable;
            lock (entry.Gate)
            {
                lastSeq = entry.Ledger.LastSeq;
                durable = _flusher.MarkDirty(entry);
            }

            // The Welcome tells the agent to forget everything up to lastSeq: that must be durable first. While the store
            // cannot write (disk full) that could take hours; then the Welcome names what is durable instead, so the agent
            // goes live at once: it replays from there, what was already processed in memory is dropped as duplicates.
            if (!durable.IsCompleted && !_flusher.Healthy)
            {
                lock (entry.Gate)
                {
                    lastSeq = entry.Durable is { } stored && stored.BootId == hello.BootId ? Math.Min(stored.LastSeq, lastSeq) : 0;
                }
            }
            else
            {
                await durable.WaitAsync(ct);
            }
            await WriteAsync(responses, new AggregatorMessage
            {
                Welcome = new Welcome
                {
                    LastSeq = lastSeq,
                    ProtocolVersion = MessageValidator.ProtocolVersion,
                    MaxMessageBytes = (uint)_maxMessageBytes,
                },
            }, ct);

            var writer = WriteLoopAsync(responses, ct);
            try
            {
                await ReadLoopAsync(requests, entry, hello, ct);
            }
            finally
            {
                await stop.CancelAsync();
                await writer.ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (_superseded.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Aborted, "a newer stream of this node took over"));
        }
        catch (Exception e) when (_writeStalled.IsCancellationRequested && e is OperationCanceledException or IOException or InvalidOperationException
                                      or RpcException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"the agent read nothing for {_stalledWriteTimeout}; stream cut"));
        }
        finally
        {
            _commands.Writer.TryComplete();
            lock (entry.Gate)
            {
                if (ReferenceEquals(entry.CurrentSession, this))
                {
                    entry.CurrentSession = null;
                }
            }

            LogDisconnected(_logger, entry.Name, _peer);
        }
    }

    private async Task<(NodeEntry Entry, Hello Hello)> ReceiveHelloAsync(IAsyncStreamReader<AgentMessage> requests, CancellationToken callCancelled, CancellationToken ct)
    {
        bool any;
        using (var deadline = new CancellationTokenSource(_helloTimeout, _time))
        using (var helloWait = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token))
        {
            try
            {
                any = await ReadNextAsync(requests, null, helloWait.Token);
            }
            catch (Exception e) when (deadline.IsCancellationRequested && !callCancelled.IsCancellationRequested
                                          && e is OperationCanceledException or RpcException or IOException)
            {
                _cuts?.Cut(StreamCutReason.NoHello);
                LogNoHello(_logger, _peer, _helloTimeout.TotalSeconds);
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"no hello within {_helloTimeout}"));
            }
        }

        if (!any)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the stream ended before a hello"));
        }

        var message = requests.Current;
        if (message.BodyCase != AgentMessage.BodyOneofCase.Hello)
        {
            Refused(null, new Rejection(RejectReason.OutOfOrder, $"the first message must be a hello, not {message.BodyCase}"));
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be a hello"));
        }

        var hello = message.Hello;
        if (MessageValidator.ValidateHello(hello) is { } rejection)
        {
            Refused(null, rejection);
            throw new RpcException(new Status(StatusCode.InvalidArgument, rejection.Detail));
        }

        // Before the node's ledger is touched: a caller that is not this node must not be able to change it at all.
        if (_authenticator?.Authenticate(_credentials, hello.NodeName) is { } refusal)
        {
            throw Unauthenticated(hello.NodeName, refusal);
        }

        var now = _time.GetUtcNow();
        var entry = _nodes.GetOrAdd(hello.NodeName, now);
        HelloKind kind;
        object? previous;
        lock (entry.Gate)
        {
            kind = entry.Ledger.Hello(hello.BootId, hello.InstanceId, hello.AgentVersion, now, hello.ReportInterval?.ToTimeSpan());
            entry.LastSeenTimestamp = _time.GetTimestamp();
            previous = entry.CurrentSession;
            entry.CurrentSession = this;
            entry.LastHello = hello;
        }

        if (previous is AgentSession older)
        {
            // The newest stream wins: an old one is usually a dead connection the agent already gave up on.
            LogSuperseded(_logger, hello.NodeName, _peer);
            older.Supersede();
        }

        LogConnected(_logger, hello.NodeName, _peer, kind, hello.BootId, hello.AgentVersion, entry.Ledger.LastSeq);
        return (entry, hello);
    }

    private RpcException Unauthenticated(string node, AgentAuthRefusal refusal)
    {
        LogAuthRefused(_logger, node, _peer, AgentAuthMetrics.Label(refusal.Reason), refusal.Detail);
        return new RpcException(new Status(refusal.Code, refusal.Detail));
    }

    public void Dispose()
    {
        _commands.Writer.TryComplete();
        _superseded.Dispose();
        _writeStalled.Dispose();
    }

    /// <summary>One write to the agent, cut when it waits longer than StalledWriteTimeout for the agent to read.</summary>
    private async Task WriteAsync(IServerStreamWriter<AggregatorMessage> responses, AggregatorMessage message, CancellationToken ct)
    {
        _writeStalled.CancelAfter(_stalledWriteTimeout);
        await responses.WriteAsync(message, ct);
        _writeStalled.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>Runs once, on the timer, when a write has waited too long: counts it and resets the HTTP/2 stream.</summary>
    private void CutStalled()
    {
        _cuts?.Cut(StreamCutReason.WriteStalled);
        LogWriteStalled(_logger, _peer, _stalledWriteTimeout.TotalSeconds);
        // The pending flush waits on the peer's flow-control window; only resetting the stream releases it.
        _abort?.Invoke();
    }

    private void Supersede()
    {
        try
        {
            _superseded.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That stream has already ended.
        }
    }

    private async Task ReadLoopAsync(IAsyncStreamReader<AgentMessage> requests, NodeEntry entry, Hello hello, CancellationToken ct)
    {
        while (await ReadNextAsync(requests, entry, ct))
        {
            var message = requests.Current;
            var size = message.CalculateSize();
            if (size > _maxMessageBytes)
            {
                var seq = message.BodyCase == AgentMessage.BodyOneofCase.Report ? message.Report.Seq : 0;
                Reject(entry, seq, new Rejection(RejectReason.TooLarge, $"{size} bytes is over the limit of {_maxMessageBytes}"));
                continue;
            }

            switch (message.BodyCase)
            {
                case AgentMessage.BodyOneofCase.Report:
                    Apply(entry, message.Report, hello.NodeName);
                    break;
                case AgentMessage.BodyOneofCase.Hello:
                    Reject(entry, 0, new Rejection(RejectReason.OutOfOrder, "a second hello on an established stream"));
                    break;
                case AgentMessage.BodyOneofCase.CommandResult:
                    AcceptCommandResult(entry, message.CommandResult);
                    break;
                case AgentMessage.BodyOneofCase.None when TolerantAgentMessages.TryGetParseError(message, out var error):
                    Reject(entry, 0, new Rejection(RejectReason.Malformed, error));
                    break;
                default:
                    Reject(entry, 0, new Rejection(RejectReason.InvalidValue, "a message with no body this aggregator knows (a newer agent?)"));
                    break;
            }
        }
    }

    /// <summary>
    /// Queues a remediation command for this agent; false once the stream has ended (or it is hopelessly behind).
    /// </summary>
    public bool TrySendCommand(Command command)
    {
        if (!_commands.Writer.TryWrite(new AggregatorMessage { Command = command }))
        {
            return false;
        }

        _wakeWriter.Writer.TryWrite(true);
        return true;
    }

    private void AcceptCommandResult(NodeEntry entry, CommandResult result)
    {
        if (MessageValidator.ValidateCommandResult(result) is { } rejection)
        {
            Reject(entry, 0, rejection);
            return;
        }

        LogCommandResult(_logger, entry.Name, result.Id, result.Outcome);
        _commandResults?.Accept(entry.Name, result);
    }

    private void Apply(NodeEntry entry, Report report, string boundNode)
    {
        if (MessageValidator.ValidateReport(report, boundNode, _time.GetUtcNow()) is { } rejection)
        {
            Reject(entry, report.Seq, rejection);
            return;
        }

        var now = _time.GetUtcNow();
        SequenceVerdict verdict;
        ulong missing, lastSeq;
        Task durable;
        IReadOnlyList<VipView> vips = [];
        IReadOnlyList<string> macs = [];
        lock (entry.Gate)
        {
            if (!ReferenceEquals(entry.CurrentSession, this))
            {
                return;
            }

            verdict = entry.Ledger.Report(report.Seq, now, out missing);
            entry.LastSeenTimestamp = _time.GetTimestamp();
            if (verdict != SequenceVerdict.Duplicate)
            {
                entry.LatestReport = report;
                entry.LatestReportTimestamp = entry.LastSeenTimestamp;
                entry.LatestDoctor = report.Doctor ?? entry.LatestDoctor;
                entry.Nfs.Update(report);
                entry.NfsOpAverages.Update(report);
                _metrics.Nfs.ObserveProbeSteps(entry.FreshProbeSteps.Update(report));
                if (report.Kubelet is { Unit.Length: > 0 } kubelet)
                {
                    entry.KubeletRestarts.Record(now, kubelet.Restarts);
                }

                if (_vips is not null && report.Vips.Count > 0)
                {
                    vips = VipViewMapper.Map(report, entry.LastHello);
                    macs = VipViewMapper.Macs(entry.LastHello);
                }
            }

            lastSeq = entry.Ledger.LastSeq;
            durable = _flusher.MarkDirty(entry);
        }

        // Every accepted report, not only the latest at a rule pass: failover times need each window and gratuitous ARP.
        if (vips.Count > 0)
        {
            foreach (var f in _vips!.Observe(entry.Name, macs, vips))
            {
                LogVipOwnerChanged(_logger, f.Vip, f.FromNode ?? "unknown", f.FromMac, f.ToNode ?? "unknown", f.ToMac, f.Duration.TotalSeconds, f.MeasuredBy ?? "mixed clocks");
            }
        }

        if (verdict == SequenceVerdict.AfterGap)
        {
            LogGap(_logger, entry.Name, missing, report.Seq);
        }

        // Asked only now that the report is in the node's entry, so the pass it brings forward sees it.
        if (report.OutcomeChanged && verdict != SequenceVerdict.Duplicate)
        {
            _passes?.Request();
        }

        ScheduleAck(lastSeq, durable);
    }

    private void Reject(NodeEntry entry, ulong seq, Rejection rejection)
    {
        ulong lastSeq;
        Task durable;
        lock (entry.Gate)
        {
            entry.Ledger.Rejected(seq, _time.GetUtcNow());
            entry.LastSeenTimestamp = _time.GetTimestamp();
            lastSeq = entry.Ledger.LastSeq;
            durable = _flusher.MarkDirty(entry);
        }

        Refused(entry.Name, rejection);
        _rejects.Writer.TryWrite(new AggregatorMessage
        {
            Reject = new Reject { Seq = seq, Reason = rejection.Reason, Detail = rejection.Detail },
        });
        ScheduleAck(lastSeq, durable);
    }

    private void Refused(string? node, Rejection rejection)
    {
        _metrics.MessageRejected(rejection.Label);
        LogRejected(_logger, node ?? "(no hello)", _peer, rejection.Label, rejection.Detail);
    }

    private void ScheduleAck(ulong seq, Task durable)
    {
        lock (_ackGate)
        {
            _ackSeq = seq;
            _ackDurable = durable;
        }

        _wakeWriter.Writer.TryWrite(true);
    }

    /// <summary>The only writer of the response stream (gRPC allows one write at a time).</summary>
    private async Task WriteLoopAsync(IServerStreamWriter<AggregatorMessage> responses, CancellationToken ct)
    {
        ulong acked = 0;
        while (await _wakeWriter.Reader.WaitToReadAsync(ct))
        {
            _wakeWriter.Reader.TryRead(out _);
            while (_rejects.Reader.TryRead(out var reject))
            {
                await WriteAsync(responses, reject, ct);
            }

            while (_commands.Reader.TryRead(out var command))
            {
                await WriteAsync(responses, command, ct);
            }

            ulong seq;
            Task durable;
            lock (_ackGate)
            {
                seq = _ackSeq;
                durable = _ackDurable;
            }

            if (seq > acked)
            {
                await durable.WaitAsync(ct);
                await WriteAsync(responses, new AggregatorMessage { Ack = new Ack { Seq = seq } }, ct);
                acked = seq;
            }
        }
    }

    /// <summary>MoveNext, with a transport-level oversize message counted before the stream ends.</summary>
    private async Task<bool> ReadNextAsync(IAsyncStreamReader<AgentMessage> requests, NodeEntry? entry, CancellationToken ct)
    {
        try
        {
            return await requests.MoveNext(ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            Refused(entry?.Name, new Rejection(RejectReason.TooLarge, $"over the transport limit, stream closed: {e.Status.Detail}"));
            throw;
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Agent {Node} connected from {Peer} ({Kind}, boot {BootId}, version {AgentVersion}); resuming after seq {LastSeq}")]
    private static partial void LogConnected(ILogger logger, string node, string peer, HelloKind kind, string bootId, string agentVersion, ulong lastSeq);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Agent {Node} disconnected ({Peer})")]
    private static partial void LogDisconnected(ILogger logger, string node, string peer);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Rejected a message from {Node} ({Peer}): {Reason}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string node, string peer, string reason, string detail);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Agent {Node}: {Missing} report(s) missing before seq {Seq}")]
    private static partial void LogGap(ILogger logger, string node, ulong missing, ulong seq);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Agent {Node}: a newer stream from {Peer} replaces the open one")]
    private static partial void LogSuperseded(ILogger logger, string node, string peer);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Agent {Node}: command {CommandId} finished: {Outcome}")]
    private static partial void LogCommandResult(ILogger logger, string node, string commandId, CommandOutcome outcome);

    [LoggerMessage(EventId = 1952, Level = LogLevel.Warning, Message = "Refused a stream claiming node {Node} from {Peer}: {Reason}: {Detail}")]
    private static partial void LogAuthRefused(ILogger logger, string node, string peer, string reason, string detail);

    [LoggerMessage(EventId = 2370, Level = LogLevel.Warning, Message = "Cut a stream from {Peer}: no hello within {Seconds} s")]
    private static partial void LogNoHello(ILogger logger, string peer, double seconds);

    [LoggerMessage(EventId = 2371, Level = LogLevel.Warning,
        Message = "Cut a stream from {Peer}: the agent read nothing for {Seconds} s (a write to it waited on HTTP/2 flow control)")]
    private static partial void LogWriteStalled(ILogger logger, string peer, double seconds);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning,
        Message = "VIP {Vip}: owner changed from {FromNode} ({FromMac}) to {ToNode} ({ToMac}); gap {GapSeconds:0.###} s so far (clock of {MeasuredBy})")]
    private static partial void LogVipOwnerChanged(ILogger logger, string vip, string fromNode, string fromMac, string toNode, string toMac, double gapSeconds, string measuredBy);
}
