using Bramble.Agent.Probes.Nfs;
using Microsoft.Extensions.Configuration;

namespace Bramble.Agent.Tests.Nfs;

public sealed class NfsOptionsValidatorTests
{
    private static readonly NfsOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validator.Validate(null, new NfsOptions { Mounts = ["/mnt/nas"] });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, Action<NfsOptions>> Invalid => new()
    {
        { "Nfs:ProbeDeadline", o => o.ProbeDeadline = TimeSpan.Zero },
        { "Nfs:ProbeDeadline", o => o.ProbeDeadline = TimeSpan.FromMilliseconds(50) },
        { "Nfs:ChildStartLimit", o => o.ChildStartLimit = TimeSpan.FromMilliseconds(500) },
        { "Nfs:ChildStartLimit", o => o.ChildStartLimit = TimeSpan.FromMinutes(5) },
        { "Nfs:SlowThreshold", o => o.SlowThreshold = TimeSpan.Zero },
        { "Nfs:SlowThreshold", o => o.SlowThreshold = TimeSpan.FromSeconds(5) },
        { "Nfs:ProbeDirectory", o => o.ProbeDirectory = "" },
        { "Nfs:ProbeDirectory", o => o.ProbeDirectory = ".." },
        { "Nfs:ProbeDirectory", o => o.ProbeDirectory = "a/b" },
        { "Nfs:ExpectedOptions", o => o.ExpectedOptions = "" },
        { "Nfs:ExpectedOptions", o => o.ExpectedOptions = "rw,,hard" },
        { "Nfs:Mounts:1", o => o.Mounts = ["/mnt/ok", "relative/path"] },
        { "Nfs:Mounts:0", o => o.Mounts = [" "] },
        { "Nfs:KubeletRoot", o => o.KubeletRoot = "var/lib/kubelet" },
        { "Nfs:PodLogDirectory", o => o.PodLogDirectory = "" },
        { "Nfs:StuckWaitChannels:1", o => o.StuckWaitChannels = ["nfs_*", "rpc*wait"] },
        { "Nfs:StuckWaitChannels:0", o => o.StuckWaitChannels = ["*"] },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string key, Action<NfsOptions> spoil)
    {
        ArgumentNullException.ThrowIfNull(spoil);
        var options = new NfsOptions();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(key + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "agent", "Bramble.Agent", "appsettings.json");
        var section = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build().GetSection(NfsOptions.Section);

        var options = section.Get<NfsOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.True(section.Exists());
        Assert.NotNull(options);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ProbeDeadline);
        var result = Validator.Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
