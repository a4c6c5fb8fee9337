using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Agent.Hosting;

namespace Bramble.Agent.Reporting;

/// <summary>
/// This node's TLS client certificate and the cluster CA it trusts for the aggregator (Agent:Tls), read once at start,
/// and the handshake settings they make. With a CA file only that CA can vouch for the aggregator (no system roots);
/// the host name in Agent:AggregatorAddress must still be in the server certificate.
/// </summary>
public sealed class AgentTlsCredentials
{
    private const string Section = "Agent:Tls";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private readonly TimeProvider _time;

    private AgentTlsCredentials(X509Certificate2? clientCertificate, X509Certificate2Collection? authorities, TimeProvider time)
    {
        ClientCertificate = clientCertificate;
        Authorities = authorities;
        _time = time;
    }

    public static AgentTlsCredentials None { get; } = new(null, null, TimeProvider.System);

    public X509Certificate2? ClientCertificate { get; }

    public X509Certificate2Collection? Authorities { get; }

    /// <summary>The credentials of <paramref name="options"/>, or the reasons they cannot be used (each naming its key).</summary>
    public static (AgentTlsCredentials? Credentials, IReadOnlyList<string> Failures) Load(AgentOptions options, string? credentialsDirectory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tls = options.Tls;
        var failures = new List<string>();
        var any = !string.IsNullOrWhiteSpace(tls.CertificateFile) || !string.IsNullOrWhiteSpace(tls.KeyFile) || !string.IsNullOrWhiteSpace(tls.CaFile);
        if (!any)
        {
            return (None, []);
        }

        var addresses = options.EffectiveAggregatorAddresses;
        for (var i = 0; i < addresses.Count; i++)
        {
            if (!addresses[i].StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{options.AggregatorAddressKey(i)}: must be https:// when {Section} is set (got {addresses[i]})");
            }
        }

        X509Certificate2? certificate = null;
        if (string.IsNullOrWhiteSpace(tls.CertificateFile) != string.IsNullOrWhiteSpace(tls.KeyFile))
        {
            failures.Add($"{Section}:{(string.IsNullOrWhiteSpace(tls.KeyFile) ? "KeyFile" : "CertificateFile")}: required with {Section}:{(string.IsNullOrWhiteSpace(tls.KeyFile) ? "CertificateFile" : "KeyFile")}");
        }
        else if (!string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            var certificatePath = PathOf(tls.CertificateFile, credentialsDirectory);
            var keyPath = PathOf(tls.KeyFile!, credentialsDirectory);
            try
            {
                certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                failures.Add($"{Section}:CertificateFile: cannot use '{certificatePath}' with key '{keyPath}': {e.Message}");
            }
        }

        X509Certificate2Collection? authorities = null;
        if (!string.IsNullOrWhiteSpace(tls.CaFile))
        {
            var path = PathOf(tls.CaFile, credentialsDirectory);
            try
            {
                authorities = [];
                authorities.ImportFromPemFile(path);
                if (authorities.Count == 0)
                {
                    failures.Add($"{Section}:CaFile: '{path}' holds no certificate");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                failures.Add($"{Section}:CaFile: cannot read '{path}': {e.Message}");
            }
        }

        return failures.Count == 0 ? (new AgentTlsCredentials(certificate, authorities, time), []) : (null, failures);
    }

    /// <summary>The handshake settings for the gRPC channel; null when Agent:Tls is not set (the platform's defaults).</summary>
    public SslClientAuthenticationOptions? ClientOptions()
    {
        if (ClientCertificate is null && Authorities is null)
        {
            return null;
        }

        var certificate = ClientCertificate;
        return new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificates = certificate is null ? null : [certificate],
            // Offered whatever CA names the server lists (Kestrel lists none): the aggregator decides and says why.
            LocalCertificateSelectionCallback = certificate is null ? null : (_, _, _, _, _) => certificate,
            RemoteCertificateValidationCallback = Authorities is null ? null : ValidateServer,
        };
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? platformChain, SslPolicyErrors errors)
    {
        // The name check stays the platform's; only the chain is judged against the cluster CA instead of system roots.
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        if (platformChain is not null)
        {
            // Intermediates the server sent.
            foreach (var element in platformChain.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(server);
    }

    private static string PathOf(string file, string? credentialsDirectory) =>
        Path.IsPathRooted(file) || string.IsNullOrEmpty(credentialsDirectory) ? file : Path.Combine(credentialsDirectory, file);
}
