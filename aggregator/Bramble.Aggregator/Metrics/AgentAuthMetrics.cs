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
            "Agent streams refused because the bearer token was missing, belonged to no node, or belonged to another node than the Hello named.", ["reason"]);
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
        _ => "other",
    };
}
