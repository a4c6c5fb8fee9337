namespace Bramble.Engine.Rules;

/// <summary>What every rule has (section Rules:&lt;Kind&gt;): on/off, how long before it fires, how long before it resolves.</summary>
public class RuleSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>How long a finding must hold before its incident fires (pending until then).</summary>
    public TimeSpan For { get; set; } = TimeSpan.Zero;

    /// <summary>Hysteresis: how long a firing incident's finding must stay absent before it resolves.</summary>
    public TimeSpan ResolveAfter { get; set; } = TimeSpan.FromSeconds(30);
}
