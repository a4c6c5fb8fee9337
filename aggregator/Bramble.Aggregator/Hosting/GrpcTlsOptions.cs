namespace Bramble.Aggregator.Hosting;

/// <summary>
/// TLS of the gRPC port (Aggregator:Tls), used when Aggregator:GrpcUrl is https://. Paths are absolute, or relative to
/// $CREDENTIALS_DIRECTORY (systemd LoadCredential=) when that is set; every file is read at start.
/// </summary>
public sealed class GrpcTlsOptions
{
    /// <summary>The aggregator's server certificate (PEM), e.g. from `bramble certs server`.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>Its private key (PEM, PKCS#8 or SEC1).</summary>
    public string? KeyFile { get; set; }

    /// <summary>In MutualTls mode: the cluster CA(s) (PEM) that agents' client certificates must chain to; no system roots.</summary>
    public string? ClientCaFile { get; set; }
}
