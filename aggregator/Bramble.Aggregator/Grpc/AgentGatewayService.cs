using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Engine.Vips;
using Bramble.Protos.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Grpc;

/// <summary>
/// The gRPC face of ingest: one <see cref="AgentSession"/> per Connect call. Bound by
/// <see cref="AgentGatewayMethodProvider"/> rather than the generated base class, so that bytes which do not parse are
/// refused like any other bad message instead of ending the stream.
/// </summary>
public sealed class AgentGatewayService
{
    private readonly NodeDirectory _nodes;
    private readonly LedgerFlusher _flusher;
    private readonly AggregatorMetrics _metrics;
    private readonly AggregatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentSession> _logger;
    private readonly ICommandResultSink? _commandResults;
    private readonly VipOwnerTracker _vips;
    private readonly AgentAuthenticator? _authenticator;
    private readonly StreamCutMetrics? _cuts;
    private readonly ILeadership _leadership;
    private readonly RulePassTrigger? _passes;

    public AgentGatewayService(
        NodeDirectory nodes,
        LedgerFlusher flusher,
        AggregatorMetrics metrics,
        IOptions<AggregatorOptions> options,
        TimeProvider time,
        ILogger<AgentSession> logger,
        VipOwnerTracker vips,
        ICommandResultSink? commandResults = null,
        AgentAuthenticator? authenticator = null,
        StreamCutMetrics? cuts = null,
        ILeadership? leadership = null,
        RulePassTrigger? passes = null)
    {
        _passes = passes;
        _leadership = leadership ?? new SingleNodeLeadership();
        _cuts = cuts;
        _authenticator = authenticator;
        _commandResults = commandResults;
        ArgumentNullException.ThrowIfNull(options);
        _nodes = nodes;
        _flusher = flusher;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _vips = vips;
    }

    public async Task Connect(
        IAsyncStreamReader<AgentMessage> requestStream,
        IServerStreamWriter<AggregatorMessage> responseStream,
        ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var term = _leadership.Current;
        if (!term.IsLeader)
        {
            await RedirectAsync(requestStream, responseStream, term, context.CancellationToken);
            return;
        }

        // The stream lives no longer than this term: when leadership moves, the agent reconnects and is redirected.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, term.Ended);
        using var session = new AgentSession(_nodes, _flusher, _metrics, _options, _time, _logger, context.Peer, _commandResults, _vips,
            _authenticator, Credentials(context), _cuts, () => context.GetHttpContext().Abort(), _passes);
        try
        {
            await session.RunAsync(requestStream, responseStream, bound.Token);
        }
        catch (Exception e) when (term.Ended.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested
                                      && e is OperationCanceledException or RpcException or IOException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "this aggregator no longer leads; reconnect"));
        }
    }

    /// <summary>
    /// A follower's whole conversation: wait for the Hello (as long as a leader would), answer with a Welcome naming
    /// the leader's address (empty while none is known), and end the stream; the agent goes to the leader.
    /// </summary>
    private async Task RedirectAsync(
        IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<AggregatorMessage> responseStream, LeadershipTerm term, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.HelloTimeout);
        try
        {
            if (!await requestStream.MoveNext(deadline.Token))
            {
                return;
            }
        }
        catch (Exception e) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested
                                      && e is OperationCanceledException or RpcException or IOException)
        {
            _cuts?.Cut(StreamCutReason.NoHello);
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"no hello within {_options.HelloTimeout}"));
        }

        await responseStream.WriteAsync(new AggregatorMessage
        {
            Welcome = new Welcome
            {
                ProtocolVersion = MessageValidator.ProtocolVersion,
                MaxMessageBytes = (uint)_options.MaxMessageBytes,
                LeaderAddress = term.LeaderAddress ?? string.Empty,
            },
        }, ct);
    }

    /// <summary>The call's proof of identity; the client certificate only in MutualTls mode, the only mode with TLS to ask for one.</summary>
    private AgentCredentials Credentials(ServerCallContext context) => new(
        context.RequestHeaders.GetValue("authorization"),
        _authenticator?.Mode == AgentAuthenticationMode.MutualTls ? context.GetHttpContext().Connection.ClientCertificate : null);
}
