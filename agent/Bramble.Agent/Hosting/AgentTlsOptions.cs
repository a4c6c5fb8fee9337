namespace Bramble.Agent.Hosting;

/// <summary>
/// TLS to the aggregator (Agent:Tls), for an https:// Agent:AggregatorAddress. Paths are absolute, or relative to
/// $CREDENTIALS_DIRECTORY (systemd LoadCredential=) when that is set; the files are read at start.
/// </summary>
public sealed class AgentTlsOptions
{
    /// <summary>This node's client certificate (PEM, from `bramble certs node`), for Aggregator:AgentAuthentication=MutualTls.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>Its private key (PEM).</summary>
    public string? KeyFile { get; set; }

    /// <summary>The cluster CA (PEM) the aggregator's server certificate must chain to; empty: the system's roots.</summary>
    public string? CaFile { get; set; }
}
