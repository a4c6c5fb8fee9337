using Bramble.Protos.V1;

namespace Bramble.Aggregator.Ingest;

/// <summary>Where a validated CommandResult from a node's stream goes (remediation).</summary>
public interface ICommandResultSink
{
    void Accept(string node, CommandResult result);
}
