namespace Bramble.Agent.Hosting;

/// <summary>The agent's own settings (section "Agent").</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>Kubernetes node name of this machine; empty means the host name.</summary>
    public string? NodeName { get; set; }

    /// <summary>The aggregator's gRPC endpoint (one aggregator).</summary>
    public string AggregatorAddress { get; set; } = "http://127.0.0.1:9731";

    /// <summary>
    /// Every aggregator of the cluster, leader and followers (Agent:AggregatorAddresses:0, :1, …); when set it
    /// replaces <see cref="AggregatorAddress"/>. The agent streams to the leader: it follows a follower's redirect to
    /// an address in this list and otherwise tries the next one.
    /// </summary>
    public string[] AggregatorAddresses { get; set; } = [];

    /// <summary>How often a report is sent when nothing changes. A changed probe outcome is reported at once.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often every probe runs.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default deadline of one probe run; a probe still running after it is reported as timed out.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Unacknowledged reports kept for replay (8,640 = one day at 10 s). When full, the oldest is dropped and counted.</summary>
    public int OutboxCapacity { get; set; } = 8640;

    /// <summary>How long connecting and receiving the aggregator's Welcome may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First reconnect delay; it doubles (with jitter) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On stop, how long to wait for the aggregator to acknowledge what is still in the outbox.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where procfs is mounted (node_exporter's --path.procfs); tests point it at a fixture tree.</summary>
    public string ProcRoot { get; set; } = "/proc";

    /// <summary>Where sysfs is mounted (node_exporter's --path.sysfs).</summary>
    public string SysRoot { get; set; } = "/sys";

    /// <summary>The kernel log to follow: /dev/kmsg, or a regular file in its record format (tests).</summary>
    public string KmsgPath { get; set; } = "/dev/kmsg";

    /// <summary>How long a kernel-log line of interest stays listed in every report.</summary>
    public TimeSpan KernelMessageRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// File holding this node's bearer token for the aggregator (absolute, or relative to $CREDENTIALS_DIRECTORY when
    /// set), read at start; when set, every Connect call carries "authorization: Bearer …". Empty: no token.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>TLS to the aggregator (Agent:Tls): the client certificate of mutual TLS and the CA to trust for the server.</summary>
    public AgentTlsOptions Tls { get; set; } = new();

    /// <summary>The aggregator addresses in effect: <see cref="AggregatorAddresses"/> when set, else <see cref="AggregatorAddress"/>.</summary>
    public IReadOnlyList<string> EffectiveAggregatorAddresses => AggregatorAddresses.Length > 0 ? AggregatorAddresses : [AggregatorAddress];

    /// <summary>The configuration key that holds address number <paramref name="index"/> of <see cref="EffectiveAggregatorAddresses"/>.</summary>
    public string AggregatorAddressKey(int index) =>
        AggregatorAddresses.Length > 0 ? $"{Section}:{nameof(AggregatorAddresses)}:{index}" : $"{Section}:{nameof(AggregatorAddress)}";

    /// <summary>The node name in effect: the configured one, else the host name.</summary>
    public string EffectiveNodeName => string.IsNullOrWhiteSpace(NodeName) ? Environment.MachineName : NodeName;
}
