using System.Security.Authentication;
using Bramble.Aggregator.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bramble.Aggregator.Hosting;

/// <summary>Kestrel's TLS settings for the gRPC port (with the client-certificate request of MutualTls mode) and the HTTP port.</summary>
public static class AgentTls
{
    /// <summary>
    /// In MutualTls mode the handshake asks for a client certificate but accepts any, or none: the certificate is judged
    /// at the gRPC layer (<see cref="AgentCertificateVerifier"/>), before the Hello touches any state. A TLS alert would
    /// tell the agent only "the SSL connection could not be established" and leave the aggregator with a debug line;
    /// refusing at the gRPC layer gives the agent a status detail naming the reason, and the aggregator a counted,
    /// logged refusal. What an unauthenticated peer reaches is the Connect call, refused at its Hello, and the
    /// read-only gRPC health service.
    /// </summary>
    public static HttpsConnectionAdapterOptions ServerOptions(AggregatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mutual = options.AgentAuthentication == AgentAuthenticationMode.MutualTls;
        return new HttpsConnectionAdapterOptions
        {
            ServerCertificate = Load(AggregatorOptionsValidator.GrpcTlsSection, options.Tls.CertificateFile, options.Tls.KeyFile),
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateMode = mutual ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate,
            ClientCertificateValidation = mutual ? static (_, _, _) => true : null,
            CheckCertificateRevocation = false,
        };
    }

    public static HttpsConnectionAdapterOptions HttpServerOptions(AggregatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HttpsConnectionAdapterOptions
        {
            ServerCertificate = Load(AggregatorOptionsValidator.HttpTlsSection, options.Http.CertificateFile, options.Http.KeyFile),
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Load(string section, string? certificateFile, string? keyFile)
    {
        var (certificate, failures) = TlsFiles.LoadCertificate(section, certificateFile, keyFile, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"));
        return certificate ?? throw new Microsoft.Extensions.Options.OptionsValidationException(AggregatorOptions.Section, typeof(AggregatorOptions), failures);
    }
}
