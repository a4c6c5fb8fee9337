namespace Bramble.Engine.Remediation;

/// <summary>What the planner needs to know about a node besides its incidents.</summary>
public sealed record NodeFacts(string Name, bool Connected, string BootId);
