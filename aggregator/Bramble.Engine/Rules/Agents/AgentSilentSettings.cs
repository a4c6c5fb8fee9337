namespace Bramble.Engine.Rules.Agents;

/// <summary>Rules:AgentSilent.</summary>
public sealed class AgentSilentSettings : RuleSettings
{
    /// <summary>A node is silent after this many of its own report intervals without a report.</summary>
    public double MissedReports { get; set; } = 3;
}
