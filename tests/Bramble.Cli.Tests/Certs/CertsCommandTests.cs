using System.Security.Cryptography.X509Certificates;
using Bramble.Cli.Certs;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Cli.Tests.Certs;

/// <summary>
/// `bramble certs` on a real directory: the files it writes build a chain to the CA in a custom trust store (no system
/// roots), carry the right usages, names and validity, keys are 0600, and nothing is overwritten without --force.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertsCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("bt-certs-");
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        _dir.Delete(recursive: true);
        _output.Dispose();
        _error.Dispose();
    }

    private int Run(string line) => CertsCommand.Parse(line.Replace("DIR", _dir.FullName, StringComparison.Ordinal).Split(' ')).Run(_time, _output, _error);

    private string File(string name) => Path.Combine(_dir.FullName, name);

    private X509ChainStatusFlags ChainErrors(X509Certificate2 leaf, string usage)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(File("ca.crt")));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.AddDays(1).UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(usage));
        chain.Build(leaf);
        return chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
    }

    [Fact]
    public void InitNodeServer_WriteAChainThatBuildsAgainstTheCaOnly()
    {
        Assert.Equal(0, Run("init --dir DIR"));
        Assert.Equal(0, Run("node pi-1 --dir DIR"));
        Assert.Equal(0, Run("server aggregator.lan 192.168.1.10 --dir DIR"));

        using var ca = X509CertificateLoader.LoadCertificateFromFile(File("ca.crt"));
        var constraints = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        Assert.Equal("ECC", ca.PublicKey.Oid.FriendlyName);
        Assert.Equal(Now.AddYears(10), new DateTimeOffset(ca.NotAfter));

        using var node = X509Certificate2.CreateFromPemFile(File("node-pi-1.crt"), File("node-pi-1.key"));
        Assert.True(node.HasPrivateKey);
        Assert.Equal("pi-1", node.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal(["pi-1"], node.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal([ClusterCertificates.ClientAuthOid], Usages(node));
        Assert.Equal(Now.AddYears(2), new DateTimeOffset(node.NotAfter));
        Assert.True(node.NotBefore < Now.UtcDateTime);
        Assert.Equal(X509ChainStatusFlags.NoError, ChainErrors(node, ClusterCertificates.ClientAuthOid));
        // A client certificate cannot serve as the aggregator.
        Assert.True(ChainErrors(node, ClusterCertificates.ServerAuthOid).HasFlag(X509ChainStatusFlags.NotValidForUsage));

        using var server = X509CertificateLoader.LoadCertificateFromFile(File("server.crt"));
        var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["aggregator.lan"], names.EnumerateDnsNames());
        Assert.Equal(["192.168.1.10"], names.EnumerateIPAddresses().Select(a => a.ToString()));
        Assert.Equal([ClusterCertificates.ServerAuthOid], Usages(server));
        Assert.Equal(X509ChainStatusFlags.NoError, ChainErrors(server, ClusterCertificates.ServerAuthOid));
        Assert.True(server.MatchesHostname("aggregator.lan"));
        Assert.Contains("wrote " + File("node-pi-1.key"), _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_AreOwnerOnly_CertificatesReadable()
    {
        Assert.Equal(0, Run("init --dir DIR"));
        Assert.Equal(0, Run("node pi-1 --dir DIR"));

        foreach (var key in new[] { "ca.key", "node-pi-1.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File(key)));
        }

        Assert.True(System.IO.File.GetUnixFileMode(File("ca.crt")).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public void ANodeOfAnotherCa_DoesNotBuild()
    {
        using var other = ClusterCertificates.CreateAuthority("other", Now);
        using var stranger = ClusterCertificates.IssueNode(other, "pi-1", Now);
        Assert.Equal(0, Run("init --dir DIR"));

        Assert.NotEqual(X509ChainStatusFlags.NoError, ChainErrors(stranger, ClusterCertificates.ClientAuthOid));
    }

    [Fact]
    public void ExistingFiles_AreNotOverwritten_UnlessForced()
    {
        Assert.Equal(0, Run("init --dir DIR"));
        var before = System.IO.File.ReadAllText(File("ca.key"));
        System.IO.File.SetUnixFileMode(File("ca.key"), (UnixFileMode)0b110_100_100);

        Assert.Equal(ExitCodes.NotWritten, Run("init --dir DIR"));
        Assert.Contains("already exist", _error.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, System.IO.File.ReadAllText(File("ca.key")));

        Assert.Equal(0, Run("init --dir DIR --force"));
        Assert.NotEqual(before, System.IO.File.ReadAllText(File("ca.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File("ca.key")));
    }

    [Fact]
    public void Node_WithoutCa_WritesNothingAndSaysInit()
    {
        Assert.Equal(ExitCodes.NotWritten, Run("node pi-1 --dir DIR"));

        Assert.Contains("bramble certs init", _error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_dir.GetFiles());
    }

    [Theory]
    [InlineData("", "certs needs an action")]
    [InlineData("init", "certs needs --dir DIR")]
    [InlineData("node --dir d", "exactly one node name")]
    [InlineData("node Pi_1 --dir d", "is not a node name")]
    [InlineData("server --dir d", "at least one host name")]
    [InlineData("renew --dir d", "unknown certs action renew")]
    [InlineData("init --dir d --days 3", "unknown option --days")]
    public void Parse_BadLines_AreUsageErrors(string line, string message)
    {
        var e = Assert.Throws<CliUsageException>(() => CertsCommand.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static string[] Usages(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value!)];
}
