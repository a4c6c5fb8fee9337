namespace Bramble.Engine.Rules.Agents;

/// <summary>Rules:AgentRestarted.</summary>
public sealed class AgentRestartedSettings : RuleSettings
{
    public AgentRestartedSettings() => ResolveAfter = TimeSpan.Zero;

    /// <summary>How long after a reboot the informational incident stays open.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
}
