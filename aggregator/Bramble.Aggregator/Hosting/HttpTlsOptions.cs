namespace Bramble.Aggregator.Hosting;

/// <summary>
/// TLS of the HTTP port (Aggregator:Http), used when Aggregator:HttpUrl is https://: the status page, the API and
/// /metrics. Paths as in <see cref="GrpcTlsOptions"/>.
/// </summary>
public sealed class HttpTlsOptions
{
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }
}
