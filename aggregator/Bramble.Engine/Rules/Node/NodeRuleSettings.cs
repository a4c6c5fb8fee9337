namespace Bramble.Engine.Rules.Node;

/// <summary>Rules:KubeletDown and Rules:ContainerRuntimeDown: a short For rides out a restart.</summary>
public sealed class KubeletDownSettings : RuleSettings
{
    public KubeletDownSettings() => For = TimeSpan.FromSeconds(30);
}

/// <summary>Rules:KubeletCrashLoop.</summary>
public sealed class KubeletCrashLoopSettings : RuleSettings
{
    public KubeletCrashLoopSettings() => ResolveAfter = TimeSpan.FromMinutes(10);

    /// <summary>Unit restarts within the aggregator's 10-minute window that make a crash loop.</summary>
    public uint MinRestarts { get; set; } = 3;
}

/// <summary>Rules:CertificateExpiring.</summary>
public sealed class CertificateExpiringSettings : RuleSettings
{
    public TimeSpan Threshold { get; set; } = TimeSpan.FromDays(14);
}

/// <summary>Rules:NodeOverheating.</summary>
public sealed class NodeOverheatingSettings : RuleSettings
{
    public NodeOverheatingSettings() => For = TimeSpan.FromMinutes(1);

    /// <summary>A Pi's firmware starts soft throttling at 80 °C.</summary>
    public double Celsius { get; set; } = 80;
}

/// <summary>Rules:ClockSkew.</summary>
public sealed class ClockSkewSettings : RuleSettings
{
    public ClockSkewSettings() => For = TimeSpan.FromMinutes(2);

    /// <summary>The kernel's estimated clock error above which TLS and etcd start to suffer.</summary>
    public TimeSpan MaxError { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Rules:MemoryPressure.</summary>
public sealed class MemoryPressureSettings : RuleSettings
{
    public MemoryPressureSettings() => For = TimeSpan.FromMinutes(2);

    /// <summary>Percent of time some task stalled on memory (PSI some avg60).</summary>
    public double SomeAvg60Percent { get; set; } = 10;
}
