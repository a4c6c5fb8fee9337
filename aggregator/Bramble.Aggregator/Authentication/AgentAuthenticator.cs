using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Metrics;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Authentication;

/// <summary>
/// Decides whether a Connect call may report as the node its Hello names, per Aggregator:AgentAuthentication, and
/// counts refusals. The token files are read at start (validation read them already) and again when their directory
/// changes (<see cref="ReloadingAgentTokens"/>); the client CA is read once, at start.
/// </summary>
public sealed partial class AgentAuthenticator
{
    private readonly AgentAuthMetrics _metrics;
    private readonly AgentCertificateVerifier? _certificates;

    private readonly ReloadingAgentTokens? _tokens;

    public AgentAuthenticator(IOptions<AggregatorOptions> options, AgentAuthMetrics metrics, TimeProvider time, ILogger<AgentAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        Mode = options.Value.AgentAuthentication ?? AgentAuthenticationMode.None;
        var credentials = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        if (Mode == AgentAuthenticationMode.Token)
        {
            var (tokens, failures) = AgentTokenDirectory.Load(options.Value.AgentTokenDirectory, options.Value.AgentTokenFilePrefix, credentials);
            _tokens = new ReloadingAgentTokens(
                tokens ?? throw new OptionsValidationException(AggregatorOptions.Section, typeof(AggregatorOptions), failures),
                options.Value.AgentTokenDirectory, options.Value.AgentTokenFilePrefix, credentials, time, logger);
        }
        else if (Mode == AgentAuthenticationMode.MutualTls)
        {
            var (authorities, failures) = TlsFiles.LoadAuthorities(AggregatorOptionsValidator.ClientCaKey, options.Value.Tls.ClientCaFile, credentials);
            Authorities = authorities ?? throw new OptionsValidationException(AggregatorOptions.Section, typeof(AggregatorOptions), failures);
            _certificates = new AgentCertificateVerifier(Authorities, time);
        }
    }

    public AgentAuthenticationMode Mode { get; }

    /// <summary>The known tokens in Token mode (read again if their directory changed); null otherwise.</summary>
    public AgentTokenSet? Tokens => _tokens?.Current;

    /// <summary>The cluster CA(s) in MutualTls mode; null otherwise.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? Authorities { get; }

    /// <summary>Null when the call may go on; else the refusal, already counted.</summary>
    public AgentAuthRefusal? Authenticate(AgentCredentials? credentials, string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var refusal = Mode switch
        {
            AgentAuthenticationMode.Token => CheckToken(credentials?.Authorization, node),
            AgentAuthenticationMode.MutualTls => CheckCertificate(credentials?.ClientCertificate, node),
            _ => null,
        };
        if (refusal is not null)
        {
            _metrics.Failed(refusal.Reason);
        }

        return refusal;
    }

    /// <summary>Says once, at start, how agents are authenticated; a warning when they are not.</summary>
    public void LogMode(ILogger logger)
    {
        switch (Mode)
        {
            case AgentAuthenticationMode.Token:
                LogTokenMode(logger, Tokens!.Count);
                break;
            case AgentAuthenticationMode.MutualTls:
                var authorities = string.Join("; ", Authorities!.Select(a => a.Subject));
                LogMutualTlsMode(logger, authorities);
                break;
            default:
                LogNotAuthenticated(logger);
                break;
        }
    }

    private AgentAuthRefusal? CheckToken(string? authorization, string node) => Tokens!.Check(authorization, node) switch
    {
        null => null,
        AgentAuthFailure.Missing => new(AgentAuthFailure.Missing, StatusCode.Unauthenticated,
            "missing: no 'authorization: Bearer <token>' metadata; this aggregator requires a per-node token (Agent:TokenFile)"),
        AgentAuthFailure.UnknownToken => new(AgentAuthFailure.UnknownToken, StatusCode.Unauthenticated, "unknown_token: the bearer token belongs to no node"),
        _ => new(AgentAuthFailure.NodeMismatch, StatusCode.PermissionDenied, $"node_mismatch: the bearer token was not issued to node '{node}'"),
    };

    private AgentAuthRefusal? CheckCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, string node)
    {
        var (owner, refusal) = _certificates!.Verify(certificate);
        return refusal ?? (string.Equals(owner, node, StringComparison.Ordinal)
            ? null
            : new AgentAuthRefusal(AgentAuthFailure.NodeMismatch, StatusCode.PermissionDenied,
                $"node_mismatch: the client certificate was issued to node '{owner}', not '{node}'"));
    }

    [LoggerMessage(EventId = 1950, Level = LogLevel.Warning,
        Message = "Agents are not authenticated: any host that reaches the gRPC port can report as any node. Set Aggregator:AgentAuthentication=Token (per-node tokens, Aggregator:AgentTokenDirectory) or MutualTls (client certificates, Aggregator:Tls) to authenticate them")]
    private static partial void LogNotAuthenticated(ILogger logger);

    [LoggerMessage(EventId = 1951, Level = LogLevel.Information, Message = "Agents authenticate with per-node bearer tokens ({Count} node(s) known)")]
    private static partial void LogTokenMode(ILogger logger, int count);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
        Message = "Agents authenticate with TLS client certificates signed by the cluster CA ({Authorities}); the node name comes from the certificate")]
    private static partial void LogMutualTlsMode(ILogger logger, string authorities);
}
