using System.Net;
using System.Threading.Channels;
using Bramble.Agent.Commands;
using Bramble.Agent.Hosting;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Bramble.Agent.Reporting;

/// <summary>
/// Keeps one report stream to the leading aggregator open: Hello, Welcome, then reports from the outbox while acks
/// trim it. A stream that cannot be opened is tried on the next configured aggregator at once, and after every
/// address failed, again with exponential backoff and jitter; a follower's Welcome redirects to the leader; a
/// stream that was open and broke is reopened after the initial delay, and the outbox replays what was not
/// acknowledged (the new leader's shared ledger drops what the old one already held).
/// </summary>
public sealed partial class AggregatorConnection : BackgroundService
{
    private readonly AggregatorAddressRing _addresses;
    private readonly Dictionary<string, (GrpcChannel Channel, AgentGateway.AgentGatewayClient Client)> _clients = [];
    private readonly AgentTlsCredentials? _tls;
    private readonly AgentIdentity _identity;
    private readonly Outbox _outbox;
    private readonly AgentCounters _counters;
    private readonly CommandExecutor _executor;
    private readonly IReadOnlyList<Capability> _capabilities;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AggregatorConnection> _logger;
    private readonly ResiliencePipeline _connect;
    private readonly Channel<AgentMessage> _control = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan DrainPollInterval = TimeSpan.FromMilliseconds(20);
    private readonly Metadata? _callHeaders;
    private bool _everConnected;
    private int _firstAckSeen;

    public AggregatorConnection(
        AgentIdentity identity,
        Outbox outbox,
        AgentCounters counters,
        CommandExecutor executor,
        ProbeRunner probes,
        IOptions<AgentOptions> options,
        TimeProvider time,
        ILogger<AggregatorConnection> logger,
        AgentBearerToken? token = null,
        AgentTlsCredentials? tls = null)
    {
        _callHeaders = token?.Headers;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(probes);
        _identity = identity;
        _outbox = outbox;
        _counters = counters;
        _executor = executor;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _capabilities = [.. probes.Probes.Select(p => p.Capability), .. executor.CanExecute ? [Capability.ExecuteCommands] : Array.Empty<Capability>()];
        _tls = tls;
        _addresses = new AggregatorAddressRing(_options.EffectiveAggregatorAddresses);
        _connect = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectInitialDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                // Within a round the next aggregator is tried at once: a dead leader must not cost a backoff.
                DelayGenerator = _ => ValueTask.FromResult<TimeSpan?>(_addresses.RoundExhausted ? null : TimeSpan.Zero),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied } refused)
                    {
                        // Retrying will not help until the token is fixed, but the agent keeps trying so that it recovers once it is.
                        LogCredentialsRefused(_logger, _addresses.LastFailed, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, Describe(refused));
                        return default;
                    }

                    if (args.Outcome.Exception is not AggregatorRedirectException)
                    {
                        LogConnectFailed(_logger, _addresses.LastFailed, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, Describe(args.Outcome.Exception));
                    }

                    return default;
                },
            })
            .Build();
    }

    /// <summary>Completes after the first attempt to open the stream, whether it worked or not (gates READY=1).</summary>
    public Task FirstAttempt => _firstAttempt.Task;

    /// <summary>Gives the aggregator Agent:DrainTimeout to acknowledge the outbox, then closes the stream.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (_counters.Connected && _outbox.Count > 0 && _time.GetElapsedTime(started) < _options.DrainTimeout)
        {
            await Task.Delay(DrainPollInterval, _time, cancellationToken);
        }

        await base.StopAsync(cancellationToken);
        LogStopped(_logger, _identity.BootId, _outbox.LastSeq, _outbox.HighestAcked, _outbox.Count);
        LogStoppedDropped(_logger, _outbox.Dropped);
    }

    public override void Dispose()
    {
        foreach (var (channel, _) in _clients.Values)
        {
            channel.Dispose();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _connect.ExecuteAsync(static async (self, ct) => await self.RunStreamAsync(ct), this, stoppingToken);
                await Task.Delay(_options.ReconnectInitialDelay, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _firstAttempt.TrySetResult();
        }
    }

    /// <summary>
    /// One stream from Hello to its end, on the current address. Throws when it could not be opened or a follower
    /// redirected it (the address ring has then moved on); returns when an open stream ended.
    /// </summary>
    private async Task RunStreamAsync(CancellationToken stoppingToken)
    {
        var address = _addresses.Current;
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Welcome welcome;
        AsyncDuplexStreamingCall<AgentMessage, AggregatorMessage>? opened = null;
        try
        {
            opened = ClientFor(address).Connect(headers: _callHeaders, cancellationToken: stream.Token);
            await opened.RequestStream.WriteAsync(new AgentMessage { Hello = _identity.CreateHello(_capabilities) }, stream.Token);
            welcome = await ReceiveWelcomeAsync(opened.ResponseStream, stream.Token);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            opened?.Dispose();
            _addresses.Failed();
            throw;
        }
        finally
        {
            _firstAttempt.TrySetResult();
        }

        using var call = opened;
        if (!string.IsNullOrEmpty(welcome.LeaderAddress))
        {
            // A follower: its last_seq means nothing, and the outbox must stay as it is for the leader.
            var known = _addresses.Redirect(welcome.LeaderAddress);
            LogRedirected(_logger, address, welcome.LeaderAddress, known ? "connecting to it" : "it is not in Agent:AggregatorAddresses, trying the next address");
            throw new AggregatorRedirectException(address, welcome.LeaderAddress);
        }

        _addresses.Connected();
        _outbox.Resume(welcome.LastSeq);
        if (_everConnected)
        {
            _counters.Reconnected();
        }

        _everConnected = true;
        _counters.Connected = true;
        LogConnected(_logger, address, welcome.LastSeq, _outbox.Count);

        var sending = SendLoopAsync(call.RequestStream, stream.Token);
        var receiving = ReceiveLoopAsync(call.ResponseStream, stream.Token);
        var ended = await Task.WhenAny(sending, receiving);
        await stream.CancelAsync();
        await Task.WhenAll(sending, receiving).ContinueWith(static _ => { }, TaskScheduler.Default);
        _counters.Connected = false;
        stoppingToken.ThrowIfCancellationRequested();
        LogStreamEnded(_logger, Describe(ended.Exception?.GetBaseException()), _outbox.Count);
    }

    private AgentGateway.AgentGatewayClient ClientFor(string address)
    {
        if (!_clients.TryGetValue(address, out var client))
        {
            var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    ConnectTimeout = _options.ConnectTimeout,
                    KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                    KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
                    KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                    PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                    SslOptions = _tls?.ClientOptions() ?? new(),
                },
                HttpVersion = HttpVersion.Version20,
            });
            client = (channel, new AgentGateway.AgentGatewayClient(channel));
            _clients[address] = client;
        }

        return client.Client;
    }

    private async Task<Welcome> ReceiveWelcomeAsync(IAsyncStreamReader<AggregatorMessage> responses, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (!await responses.MoveNext(linked.Token))
            {
                throw new IOException("the aggregator closed the stream before its welcome");
            }
        }
        catch (Exception e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                  && e is OperationCanceledException or RpcException)
        {
            throw new TimeoutException($"no welcome within {_options.ConnectTimeout.TotalSeconds:0.###} s");
        }

        var message = responses.Current;
        return message.BodyCase == AggregatorMessage.BodyOneofCase.Welcome
            ? message.Welcome
            : throw new IOException($"the aggregator answered the hello with {message.BodyCase}, not a welcome");
    }

    /// <summary>The only writer of the request stream: command results first, then reports in order.</summary>
    private async Task SendLoopAsync(IClientStreamWriter<AgentMessage> requests, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Peeked, and taken only once written: a result whose write fails with the stream goes on the next one
            // (at least once; the aggregator audits a repeat as a late result).
            while (_control.Reader.TryPeek(out var control))
            {
                await requests.WriteAsync(control, cancellationToken);
                _control.Reader.TryRead(out _);
            }

            if (_outbox.TryTakeNext(out var report))
            {
                await requests.WriteAsync(new AgentMessage { Report = report }, cancellationToken);
                continue;
            }

            await _outbox.WaitAsync(cancellationToken);
        }
    }

    private async Task ReceiveLoopAsync(IAsyncStreamReader<AggregatorMessage> responses, CancellationToken cancellationToken)
    {
        while (await responses.MoveNext(cancellationToken))
        {
            var message = responses.Current;
            switch (message.BodyCase)
            {
                case AggregatorMessage.BodyOneofCase.Ack:
                    _outbox.Ack(message.Ack.Seq);
                    if (Interlocked.Exchange(ref _firstAckSeen, 1) == 0)
                    {
                        // Start-up to first report is timed to this line (bench/footprint).
                        LogFirstAck(_logger, message.Ack.Seq);
                    }

                    break;
                case AggregatorMessage.BodyOneofCase.Reject:
                    _counters.RejectedByAggregator();
                    LogRejected(_logger, message.Reject.Seq, message.Reject.Reason, message.Reject.Detail);
                    break;
                case AggregatorMessage.BodyOneofCase.Command:
                    // Actions can take minutes: run them apart so acks keep flowing. Not tied to this stream: a result
                    // finished after a reconnect is sent on the next stream.
                    _ = ExecuteAsync(message.Command);
                    break;
                default:
                    LogUnexpected(_logger, message.BodyCase.ToString());
                    break;
            }
        }
    }

    private async Task ExecuteAsync(Command command)
    {
        var result = await _executor.ExecuteAsync(command);
        _control.Writer.TryWrite(new AgentMessage { CommandResult = result });
        _outbox.Wake();
    }

    private static string Describe(Exception? e) => e switch
    {
        null => "closed by the aggregator",
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => e.Message,
    };

    [LoggerMessage(EventId = 401, Level = LogLevel.Information,
        Message = "Connected to the aggregator at {Address}; it holds reports up to seq {LastSeq}; {Pending} report(s) to send")]
    private static partial void LogConnected(ILogger logger, string address, ulong lastSeq, int pending);

    [LoggerMessage(EventId = 1590, Level = LogLevel.Error,
        Message = "The aggregator at {Address} refused this node's credentials (attempt {Attempt}; check Agent:TokenFile or Agent:Tls, and Agent:NodeName), retrying in {DelaySeconds:F1} s: {Reason}")]
    private static partial void LogCredentialsRefused(ILogger logger, string address, int attempt, double delaySeconds, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning,
        Message = "Cannot reach the aggregator at {Address} (attempt {Attempt}), retrying in {DelaySeconds:F1} s: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string address, int attempt, double delaySeconds, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "The report stream ended ({Reason}); {Pending} report(s) kept for replay")]
    private static partial void LogStreamEnded(ILogger logger, string reason, int pending);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "The aggregator rejected report seq {Seq}: {Reason}: {Detail}")]
    private static partial void LogRejected(ILogger logger, ulong seq, RejectReason reason, string detail);

    // Beside 406 rather than in it: tools and tests parse 406's wording.
    [LoggerMessage(EventId = 2352, Level = LogLevel.Information, Message = "Stopped: the outbox dropped {Dropped} report(s) since start (it was full)")]
    private static partial void LogStoppedDropped(ILogger logger, long dropped);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information,
        Message = "Stopped: boot {BootId} reached seq {LastSeq}, acknowledged up to {Acked}, {Pending} report(s) unsent")]
    private static partial void LogStopped(ILogger logger, string bootId, ulong lastSeq, ulong acked, int pending);

    [LoggerMessage(EventId = 2850, Level = LogLevel.Information,
        Message = "The aggregator at {Address} is a follower; it names {Leader} as the leader: {Action}")]
    private static partial void LogRedirected(ILogger logger, string address, string leader, string action);

    [LoggerMessage(EventId = 2752, Level = LogLevel.Information, Message = "First report acknowledged by the aggregator (up to seq {Seq})")]
    private static partial void LogFirstAck(ILogger logger, ulong seq);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Ignoring an unexpected {Kind} from the aggregator")]
    private static partial void LogUnexpected(ILogger logger, string kind);
}
