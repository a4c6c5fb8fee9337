using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Incidents;

/// <summary>The open incidents after the latest pass, with live evidence: what the API, page and metrics read.</summary>
public sealed class IncidentBoard
{
    private IReadOnlyList<IncidentRecord> _open = [];

    public IReadOnlyList<IncidentRecord> Open => Volatile.Read(ref _open);

    public void Publish(IReadOnlyList<IncidentRecord> open) => Volatile.Write(ref _open, open);

    /// <summary>Open incidents about one node (its own subject, not cluster-wide causes).</summary>
    public IEnumerable<IncidentRecord> ForNode(string node) => Open.Where(i => i.Subject.Node == node);
}
