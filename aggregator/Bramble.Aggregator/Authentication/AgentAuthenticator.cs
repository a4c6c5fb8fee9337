using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Metrics;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Authentication;

/// <summary>
/// Decides whether a Connect call may report as the node its Hello names, per Aggregator:AgentAuthentication, and
/// counts refusals. The token files are read once, when this is first resolved at start (validation read them already).
/// </summary>
public sealed partial class AgentAuthenticator
{
    private readonly AgentAuthMetrics _metrics;

    public AgentAuthenticator(IOptions<AggregatorOptions> options, AgentAuthMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        Mode = options.Value.AgentAuthentication;
        if (Mode == AgentAuthenticationMode.Token)
        {
            var (tokens, failures) = AgentTokenDirectory.Load(options.Value.AgentTokenDirectory);
            Tokens = tokens ?? throw new OptionsValidationException(AggregatorOptions.Section, typeof(AggregatorOptions), failures);
        }
    }

    public AgentAuthenticationMode Mode { get; }

    /// <summary>The known tokens in Token mode; null in None mode.</summary>
    public AgentTokenSet? Tokens { get; }

    /// <summary>Null when the call may go on; else the reason, already counted.</summary>
    public AgentAuthFailure? Authenticate(string? authorizationHeader, string node)
    {
        if (Tokens is null)
        {
            return null;
        }

        var failure = Tokens.Check(authorizationHeader, node);
        if (failure is { } reason)
        {
            _metrics.Failed(reason);
        }

        return failure;
    }

    /// <summary>Says once, at start, how agents are authenticated; a warning when they are not.</summary>
    public void LogMode(ILogger logger)
    {
        if (Tokens is null)
        {
            LogNotAuthenticated(logger);
        }
        else
        {
            LogTokenMode(logger, Tokens.Count);
        }
    }

    [LoggerMessage(EventId = 1950, Level = LogLevel.Warning,
        Message = "Agents are not authenticated: any host that reaches the gRPC port can report as any node. Set Aggregator:AgentAuthentication=Token and Aggregator:AgentTokenDirectory to require per-node tokens")]
    private static partial void LogNotAuthenticated(ILogger logger);

    [LoggerMessage(EventId = 1951, Level = LogLevel.Information, Message = "Agents authenticate with per-node bearer tokens ({Count} node(s) known)")]
    private static partial void LogTokenMode(ILogger logger, int count);
}
