namespace Bramble.Aggregator.Api;

/// <summary>One finding of a node's doctor run, as `bramble-agent doctor --json` prints it.</summary>
public sealed record DoctorFindingView(string Check, string Status, string Evidence, string Fix, string Runbook);
