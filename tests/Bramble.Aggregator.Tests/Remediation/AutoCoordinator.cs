using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Alerts.Inbound;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Remediation;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Remediation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Tests.Remediation;

/// <summary>A remediation coordinator in Auto mode over <paramref name="store"/>, with its metrics in <c>Metrics</c>.</summary>
internal sealed class AutoCoordinator
{
    public AutoCoordinator(IRemediationStore store, NodeDirectory nodes, IncidentBoard board, TimeProvider time)
    {
        Metrics = new AggregatorMetrics(nodes, new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), board, "test");
        Coordinator = new RemediationCoordinator(Options.Create(new RemediationOptions { Mode = RemediationMode.Auto }), store, nodes, board,
            new CommandDispatcher(nodes, board), new RemediationMetrics(Metrics), time, NullLogger<RemediationCoordinator>.Instance,
            new AlertmanagerRequests(Options.Create(new AlertsOptions()), Options.Create(new RemediationOptions()),
                new AlertmanagerRequestMetrics(Metrics), NullLogger<AlertmanagerRequests>.Instance));
    }

    public AggregatorMetrics Metrics { get; }

    public RemediationCoordinator Coordinator { get; }
}
