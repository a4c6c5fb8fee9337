using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Storage;

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
    /// How agents authenticate: None (plain text, no authentication; logs a warning at start), Token (per-node bearer
    /// tokens from <see cref="AgentTokenDirectory"/>) or MutualTls (client certificates, <see cref="Tls"/>). No default:
    /// leaving agents unauthenticated must be a choice someone wrote down (demo.sh and the example configuration do).
    /// </summary>
    public AgentAuthenticationMode? AgentAuthentication { get; set; }

    /// <summary>In Token mode: a directory with one file per node, named after the node, holding its token (read at start).</summary>
    public string? AgentTokenDirectory { get; set; }

    /// <summary>
    /// In Token mode: only files named this prefix + the node name are tokens, e.g. "aggregator_agent-token." for the
    /// files the shipped unit's LoadCredential= presents. Empty: every (non-hidden) file.
    /// </summary>
    public string? AgentTokenFilePrefix { get; set; }

    /// <summary>TLS of the gRPC port (Aggregator:Tls): used when <see cref="GrpcUrl"/> is https://; ClientCaFile in MutualTls mode.</summary>
    public GrpcTlsOptions Tls { get; set; } = new();

    /// <summary>TLS of the HTTP port (Aggregator:Http): used when <see cref="HttpUrl"/> is https://.</summary>
    public HttpTlsOptions Http { get; set; } = new();

    /// <summary>Where durable state lives: Sqlite (default, embedded in <see cref="DataDirectory"/>) or Postgres.</summary>
    public StoreEngine Store { get; set; } = StoreEngine.Sqlite;

    /// <summary>
    /// With Store=Postgres: file holding the Npgsql connection string (absolute, or relative to $CREDENTIALS_DIRECTORY
    /// when set), so the password is never on a command line or in appsettings.
    /// </summary>
    public string? PostgresConnectionStringFile { get; set; }

    /// <summary>
    /// With Store=Postgres: how long the leader lease lasts. The leader renews it every third of this and stops acting
    /// when no renewal succeeded for four fifths of it; a follower takes over once it expired on the server.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With Store=Postgres (required): the gRPC URL agents use to reach THIS aggregator, e.g. "http://agg-1.lan:9731";
    /// stored in the lease row while it leads, so followers can redirect agents to it.
    /// </summary>
    public string? AdvertiseAddress { get; set; }

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
