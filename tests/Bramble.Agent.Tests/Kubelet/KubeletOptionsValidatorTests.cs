using Bramble.Agent.Probes.Kubelet;
using Microsoft.Extensions.Configuration;

namespace Bramble.Agent.Tests.Kubelet;

public sealed class KubeletOptionsValidatorTests
{
    private static readonly KubeletOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validator.Validate(null, new KubeletOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_EverythingSet_Succeeds()
    {
        var options = new KubeletOptions
        {
            HealthzUrl = "https://[::1]:10248/healthz",
            Timeout = TimeSpan.FromMilliseconds(500),
            Unit = "k3s-agent.service",
            ClientCertificatePath = "/etc/kubernetes/kubelet-client.pem",
            ServingCertificatePath = "/etc/kubernetes/kubelet.crt",
            CriSocket = "/run/k3s/containerd/containerd.sock",
        };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    public static TheoryData<string, Action<KubeletOptions>> Invalid => new()
    {
        { "Kubelet:HealthzUrl", o => o.HealthzUrl = "" },
        { "Kubelet:HealthzUrl", o => o.HealthzUrl = "127.0.0.1:10248/healthz" },
        { "Kubelet:HealthzUrl", o => o.HealthzUrl = "ftp://127.0.0.1/healthz" },
        { "Kubelet:Timeout", o => o.Timeout = TimeSpan.Zero },
        { "Kubelet:Timeout", o => o.Timeout = TimeSpan.FromMilliseconds(50) },
        { "Kubelet:Timeout", o => o.Timeout = TimeSpan.FromMinutes(1) },
        { "Kubelet:Unit", o => o.Unit = "kubelet; reboot" },
        { "Kubelet:Unit", o => o.Unit = "k3s agent" },
        { "Kubelet:ClientCertificatePath", o => o.ClientCertificatePath = "pki/kubelet-client-current.pem" },
        { "Kubelet:ServingCertificatePath", o => o.ServingCertificatePath = "kubelet.crt" },
        { "Kubelet:CriSocket", o => o.CriSocket = "run/containerd/containerd.sock" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string key, Action<KubeletOptions> spoil)
    {
        ArgumentNullException.ThrowIfNull(spoil);
        var options = new KubeletOptions();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(key + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "agent", "Bramble.Agent", "appsettings.json");
        var section = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build().GetSection(KubeletOptions.Section);

        var options = section.Get<KubeletOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.True(section.Exists());
        Assert.NotNull(options);
        Assert.Equal("http://127.0.0.1:10248/healthz", options.HealthzUrl);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
        Assert.True(Validator.Validate(null, options).Succeeded);
    }
}
