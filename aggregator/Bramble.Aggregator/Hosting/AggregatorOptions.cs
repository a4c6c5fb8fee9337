using Bramble.Aggregator.Authentication;

namespace Bramble.Aggregator.Hosting;

/// <summary>The aggregator's own settings (section "Aggregator").</summary>
public sealed class AggregatorOptions
{
    public const string Section = "Aggregator";

    /// <summary>Where agents connect (HTTP/2 cleartext gRPC).</summary>
    public string GrpcUrl { get; set; } = "http://0.0.0.0:9731";

    /// <summary>Where /metrics, /healthz, /readyz, the JSON API and the status page are served (HTTP/1.1).</summary>
    public string HttpUrl { get; set; } = "http://0.0.0.0:9730";

    /// <summary>Directory of the embedded SQLite database; created when missing.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// Largest agent message accepted, in bytes. A larger one is rejected and counted and the stream goes on;
    /// one beyond four times this is refused by the transport and ends that stream.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a single SQLite write may wait for a lock before it counts as failed.</summary>
    public TimeSpan StoreBusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How agents authenticate: None (default, keeps the quick start working; logs a warning at start) or Token
    /// (per-node bearer tokens from <see cref="AgentTokenDirectory"/>).
    /// </summary>
    public AgentAuthenticationMode AgentAuthentication { get; set; } = AgentAuthenticationMode.None;

    /// <summary>In Token mode: a directory with one file per node, named after the node, holding its token (read at start).</summary>
    public string? AgentTokenDirectory { get; set; }

    /// <summary>
    /// How long a new agent stream may take to send its Hello; a stream still silent then is cut (DeadlineExceeded) and
    /// counted, so idle streams opened and left cannot pile up.
    /// </summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one write to an agent (Welcome, Ack, Reject, Command) may wait for the agent to read; a stream whose
    /// agent stopped reading (HTTP/2 flow control full) is cut then and counted, instead of staying open forever.
    /// </summary>
    public TimeSpan StalledWriteTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The limit the transport enforces before our own check can see the message.</summary>
    public int TransportMaxMessageBytes => (int)Math.Min(int.MaxValue, 4L * MaxMessageBytes);
}
