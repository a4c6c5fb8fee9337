using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Agent.Hosting;
using Bramble.Agent.Reporting;

namespace Bramble.Agent.Tests;

/// <summary>Agent:Tls is read at start: files relative to $CREDENTIALS_DIRECTORY, an https:// address, and every problem named by key.</summary>
public sealed class AgentTlsValidatorTests : IDisposable
{
    private readonly DirectoryInfo _credentials = Directory.CreateTempSubdirectory("bt-agent-tls-");

    public AgentTlsValidatorTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node-a", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        File.WriteAllText(Path.Combine(_credentials.FullName, "node.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_credentials.FullName, "node.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_credentials.FullName, "ca.crt"), certificate.ExportCertificatePem());
    }

    public void Dispose() => _credentials.Delete(recursive: true);

    private static AgentOptions Options(string address, string? certificate, string? key, string? ca) => new()
    {
        AggregatorAddress = address,
        Tls = new AgentTlsOptions { CertificateFile = certificate, KeyFile = key, CaFile = ca },
    };

    [Fact]
    public void NoTls_Succeeds_WithThePlatformsDefaults()
    {
        Assert.True(new AgentTlsValidator(null).Validate(null, new AgentOptions()).Succeeded);
        Assert.Null(AgentTlsCredentials.Load(new AgentOptions(), null, TimeProvider.System).Credentials!.ClientOptions());
    }

    [Fact]
    public void RelativeFiles_ResolveUnderCredentialsDirectory_AndOfferTheCertificate()
    {
        var options = Options("https://aggregator.lan:9731", "node.crt", "node.key", "ca.crt");

        Assert.True(new AgentTlsValidator(_credentials.FullName).Validate(null, options).Succeeded);
        var (credentials, _) = AgentTlsCredentials.Load(options, _credentials.FullName, TimeProvider.System);
        Assert.True(credentials!.ClientCertificate!.HasPrivateKey);
        Assert.Single(credentials.Authorities!);
        var ssl = credentials.ClientOptions()!;
        Assert.NotNull(ssl.RemoteCertificateValidationCallback);
        Assert.Same(credentials.ClientCertificate, ssl.LocalCertificateSelectionCallback!(this, "aggregator.lan", [], null, []));
    }

    [Theory]
    [InlineData("http://aggregator.lan:9731", "node.crt", "node.key", "ca.crt", "Agent:AggregatorAddress: must be https:// when Agent:Tls is set")]
    [InlineData("https://aggregator.lan:9731", "node.crt", null, null, "Agent:Tls:KeyFile: required with Agent:Tls:CertificateFile")]
    [InlineData("https://aggregator.lan:9731", null, "node.key", null, "Agent:Tls:CertificateFile: required with Agent:Tls:KeyFile")]
    [InlineData("https://aggregator.lan:9731", "node.crt", "absent.key", null, "Agent:Tls:CertificateFile: cannot use")]
    [InlineData("https://aggregator.lan:9731", null, null, "absent.crt", "Agent:Tls:CaFile: cannot read")]
    public void BadSettings_FailNamingTheKey(string address, string? certificate, string? key, string? ca, string failure)
    {
        var result = new AgentTlsValidator(_credentials.FullName).Validate(null, Options(address, certificate, key, ca));

        Assert.True(result.Failed);
        Assert.StartsWith(failure, Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
