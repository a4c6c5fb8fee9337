using Bramble.Aggregator.Authentication;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>Refused agent Connect calls, by reason, in the aggregator's registry; every reason is exported from start.</summary>
public sealed class AgentAuthMetrics
{
    private readonly Counter _failures;

    public AgentAuthMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _failures = factory.CreateCounter("bramble_agent_auth_failures_total",
            "Agent streams refused: bearer token missing or of no node, client certificate missing, untrusted or expired, or a credential of another node than the Hello named.", ["reason"]);
        foreach (var reason in Enum.GetValues<AgentAuthFailure>())
        {
            _failures.WithLabels(Label(reason));
        }
    }

    public void Failed(AgentAuthFailure reason) => _failures.WithLabels(Label(reason)).Inc();

    public static string Label(AgentAuthFailure reason) => reason switch
    {
        AgentAuthFailure.Missing => "missing",
        AgentAuthFailure.UnknownToken => "unknown_token",
        AgentAuthFailure.NodeMismatch => "node_mismatch",
        AgentAuthFailure.NoCertificate => "no_certificate",
        AgentAuthFailure.UntrustedCertificate => "untrusted_certificate",
        AgentAuthFailure.ExpiredCertificate => "expired_certificate",
        _ => "other",
    };
}
