namespace Bramble.Cli;

/// <summary>/api/v1/doctor: every node's latest preflight findings and certificate calendar.</summary>
public sealed record DoctorNodesRow(DoctorNodeRow[] Nodes);
