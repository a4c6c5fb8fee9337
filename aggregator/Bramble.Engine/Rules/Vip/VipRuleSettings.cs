namespace Bramble.Engine.Rules.Vip;

/// <summary>Rules:VipOwnerMismatch.</summary>
public sealed class VipOwnerMismatchSettings : RuleSettings
{
    public VipOwnerMismatchSettings() => For = TimeSpan.FromSeconds(10);

    /// <summary>An owner's agent counts as silent after this many of its report intervals without a message.</summary>
    public int MissedReports { get; set; } = 3;
}

/// <summary>Rules:VipFlapping.</summary>
public sealed class VipFlappingSettings : RuleSettings
{
    /// <summary>More owner changes than this within <see cref="Window"/> is flapping.</summary>
    public int MaxChanges { get; set; } = 3;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Rules:VipServiceDown.</summary>
public sealed class VipServiceDownSettings : RuleSettings
{
    public VipServiceDownSettings() => For = TimeSpan.FromSeconds(10);
}

/// <summary>Rules:VipStaleUpstreamCache: resolves once the misdelivered count has stopped rising for ResolveAfter.</summary>
public sealed class VipStaleUpstreamCacheSettings : RuleSettings
{
    public VipStaleUpstreamCacheSettings() => ResolveAfter = TimeSpan.FromMinutes(1);
}
