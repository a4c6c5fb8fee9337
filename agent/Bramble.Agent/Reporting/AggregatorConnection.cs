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
/// Keeps one report stream to the aggregator open: Hello, Welcome, then reports from the outbox while acks
/// trim it. A stream that cannot be opened is retried with exponential backoff and jitter; a stream that was
/// open and broke is reopened after the initial delay, and the outbox replays what was not acknowledged.
/// </summary>
public sealed partial class AggregatorConnection : BackgroundService
{
    private readonly GrpcChannel _channel;
    private readonly AgentGateway.AgentGatewayClient _client;
    private readonly AgentIdentity _identity;
    private readonly Outbox _outbox;
    private readonly AgentCounters _counters;
    private readonly CommandExecutor _executor;
    private readonly IReadOnlyList<Capability> _capabilities;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AggregatorConnection> _logger;
    private readonly ResiliencePipeline _connect;
    private readonly Channel<AgentMessage> _control = Channel.CreateUnbounded<AgentMessage>();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan DrainPollInterval = TimeSpan.FromMilliseconds(20);
    private readonly Metadata? _callHeaders;
    private bool _everConnected;

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
        _channel = GrpcChannel.ForAddress(_options.AggregatorAddress, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = _options.ConnectTimeout,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                SslOptions = tls?.ClientOptions() ?? new(),
            },
            HttpVersion = HttpVersion.Version20,
        });
        _client = new AgentGateway.AgentGatewayClient(_channel);
        _connect = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectInitialDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied } refused)
                    {
                        // Retrying will not help until the token is fixed, but the agent keeps trying so that it recovers once it is.
                        LogCredentialsRefused(_logger, _options.AggregatorAddress, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, Describe(refused));
                        return default;
                    }

                    LogConnectFailed(_logger, _options.AggregatorAddress, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, Describe(args.Outcome.Exception));
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
        _channel.Dispose();
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

    /// <summary>One stream from Hello to its end. Throws when it could not be opened; returns when an open stream ended.</summary>
    private async Task RunStreamAsync(CancellationToken stoppingToken)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var call = _client.Connect(headers: _callHeaders, cancellationToken: stream.Token);
        Welcome welcome;
        try
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = _identity.CreateHello(_capabilities) }, stream.Token);
            welcome = await ReceiveWelcomeAsync(call.ResponseStream, stream.Token);
        }
        finally
        {
            _firstAttempt.TrySetResult();
        }

        _outbox.Resume(welcome.LastSeq);
        if (_everConnected)
        {
            _counters.Reconnected();
        }

        _everConnected = true;
        _counters.Connected = true;
        LogConnected(_logger, _options.AggregatorAddress, welcome.LastSeq, _outbox.Count);

        var sending = SendLoopAsync(call.RequestStream, stream.Token);
        var receiving = ReceiveLoopAsync(call.ResponseStream, stream.Token);
        var ended = await Task.WhenAny(sending, receiving);
        await stream.CancelAsync();
        await Task.WhenAll(sending, receiving).ContinueWith(static _ => { }, TaskScheduler.Default);
        _counters.Connected = false;
        stoppingToken.ThrowIfCancellationRequested();
        LogStreamEnded(_logger, Describe(ended.Exception?.GetBaseException()), _outbox.Count);
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
            while (_control.Reader.TryRead(out var control))
            {
                await requests.WriteAsync(control, cancellationToken);
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

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Ignoring an unexpected {Kind} from the aggregator")]
    private static partial void LogUnexpected(ILogger logger, string kind);
}
