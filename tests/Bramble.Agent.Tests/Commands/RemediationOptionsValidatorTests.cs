using Bramble.Agent.Commands;
using Microsoft.Extensions.Configuration;

namespace Bramble.Agent.Tests.Commands;

public sealed class RemediationOptionsValidatorTests
{
    private static readonly RemediationOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeed_AndAllowNothing()
    {
        var options = new RemediationOptions();

        var result = Validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.False(options.AllowsAnything);
        Assert.False(options.Reboot);
    }

    [Fact]
    public void Validate_AFullAllowList_Succeeds()
    {
        var options = new RemediationOptions { Reboot = true, GratuitousArpCount = 5, GratuitousArpInterval = TimeSpan.FromMilliseconds(100) };
        options.Units.Add("kubelet");
        options.Units.Add("k3s-agent.service");
        options.Units.Add("getty@tty1");
        options.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Source = "nas.lan:/export/k8s", Options = "rw,hard,vers=3,tcp,timeo=600" });
        // No Source: only remounted while mounted, from its own source.
        options.Mounts.Add(new RemediationMountOptions { Path = "/mnt/media", Options = "rw,hard,vers=3,tcp,timeo=600" });
        options.StateDirectory = "/var/lib/bramble-agent";
        options.Hooks["restart-pods"] = "/usr/local/lib/bramble/restart-pods";
        options.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2.100", Interface = "eth0" });

        var result = Validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(options.AllowsAnything);
    }

    public static TheoryData<string, Action<RemediationOptions>> Invalid => new()
    {
        { "Remediation:Units:0: '--force' is not a systemd unit name", o => o.Units.Add("--force") },
        { "Remediation:Units:0: 'kubelet; reboot' is not a systemd unit name", o => o.Units.Add("kubelet; reboot") },
        { "Remediation:Units:1: 'kubelet.service' is already listed as Remediation:Units:0", o => { o.Units.Add("kubelet"); o.Units.Add("kubelet.service"); } },
        { "Remediation:Mounts:0:Path: 'mnt/nas' is not an absolute mount point", o => o.Mounts.Add(new RemediationMountOptions { Path = "mnt/nas", Source = "nas:/x", Options = "rw" }) },
        { "Remediation:Mounts:0:Path: '/mnt/nas/' is not an absolute mount point", o => o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas/", Source = "nas:/x", Options = "rw" }) },
        { "Remediation:Mounts:0:Path: '/mnt/../etc' is not an absolute mount point", o => o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/../etc", Source = "nas:/x", Options = "rw" }) },
        { "Remediation:Mounts:0:Source: '-oremount' is not an NFS source", o => o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Source = "-oremount", Options = "rw" }) },
        { "Remediation:Mounts:0:Options: '' is not a mount option list", o => o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Source = "nas:/x" }) },
        { "Remediation:Mounts:1:Path: '/mnt/nas' is already listed as Remediation:Mounts:0", o => { o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Source = "nas:/x", Options = "rw" }); o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Source = "nas:/y", Options = "rw" }); } },
        { "Remediation:Hooks:drain: 'drain.sh' is not the absolute path of an executable", o => o.Hooks["drain"] = "drain.sh" },
        { "Remediation:Hooks:a b: 'a b' is not a hook name", o => o.Hooks["a b"] = "/bin/true" },
        { "Remediation:GratuitousArp:0:Address: '192.0.2' is not a unicast IPv4 VIP", o => o.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2", Interface = "eth0" }) },
        { "Remediation:GratuitousArp:0:Interface: 'eth0:1' is not an interface name", o => o.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2.100", Interface = "eth0:1" }) },
        { "Remediation:GratuitousArpCount: must be between 1 and 10 (got 0)", o => o.GratuitousArpCount = 0 },
        { "Remediation:GratuitousArpInterval: must be between 10 ms and 5 s", o => o.GratuitousArpInterval = TimeSpan.Zero },
        { "Remediation:DefaultDeadline: must be between 100 ms and Remediation:MaxDeadline", o => o.DefaultDeadline = TimeSpan.FromMinutes(11) },
        { "Remediation:MaxDeadline: must be between 100 ms and 60 min", o => o.MaxDeadline = TimeSpan.FromHours(2) },
        { "Remediation:QueueCapacity: must be between 1 and 1000 (got 0)", o => o.QueueCapacity = 0 },
        { "Remediation:RememberedCommands: must be between 1 and 100000 (got 0)", o => o.RememberedCommands = 0 },
        { "Remediation:StateDirectory: 'var/lib/bramble-agent' is not an absolute directory", o => o.StateDirectory = "var/lib/bramble-agent" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string expected, Action<RemediationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RemediationOptions();
        configure(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates_AndAllowsNothing()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "agent", "Bramble.Agent", "appsettings.json");
        var section = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build().GetSection(RemediationOptions.Section);

        var options = section.Get<RemediationOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.NotNull(options);
        Assert.False(options.AllowsAnything);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.GratuitousArpInterval);
        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void CommandLineStyleKeys_BindEveryKindOfEntry()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Remediation:Units:0"] = "kubelet",
            ["Remediation:Mounts:0:Path"] = "/mnt/nas",
            ["Remediation:Mounts:0:Source"] = "nas.lan:/export/k8s",
            ["Remediation:Mounts:0:Options"] = "rw,hard,vers=3,tcp",
            ["Remediation:Hooks:restart-pods"] = "/usr/local/lib/bramble/restart-pods",
            ["Remediation:GratuitousArp:0:Address"] = "192.0.2.100",
            ["Remediation:GratuitousArp:0:Interface"] = "eth0",
            ["Remediation:Reboot"] = "true",
        }).Build();

        var options = configuration.GetSection(RemediationOptions.Section).Get<RemediationOptions>(binder => binder.ErrorOnUnknownConfiguration = true)!;

        Assert.Equal(["kubelet"], options.Units);
        Assert.Equal("nas.lan:/export/k8s", Assert.Single(options.Mounts).Source);
        Assert.Equal("/usr/local/lib/bramble/restart-pods", options.Hooks["restart-pods"]);
        Assert.Equal("eth0", Assert.Single(options.GratuitousArp).Interface);
        Assert.True(options.Reboot);
        Assert.True(Validator.Validate(null, options).Succeeded);
    }
}
