using Bramble.Agent.Probes.Vip;
using Microsoft.Extensions.Configuration;

namespace Bramble.Agent.Tests.Vip;

public sealed class VipOptionsValidatorTests
{
    private static readonly VipOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = Validator.Validate(null, new VipOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_AFullWatch_Succeeds()
    {
        var options = new VipOptions { Window = TimeSpan.FromMilliseconds(300), Interval = TimeSpan.FromSeconds(2) };
        var watch = new VipWatchOptions { Address = "192.0.2.100", Interface = "eth0", Mode = "keepalived" };
        watch.Ports.Add(80);
        watch.Ports.Add(443);
        options.Watch.Add(watch);
        options.Watch.Add(new VipWatchOptions { Address = "192.0.2.101", Mode = "MetalLB-L2" });

        var result = Validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, Action<VipOptions>> Invalid => new()
    {
        { "Vip:Window: must be between 10 ms and 10 s", o => o.Window = TimeSpan.Zero },
        { "Vip:Window: must be between 10 ms and 10 s", o => o.Window = TimeSpan.FromSeconds(11) },
        { "Vip:PortTimeout:", o => o.PortTimeout = TimeSpan.FromSeconds(-1) },
        { "Vip:Interval:", o => o.Interval = TimeSpan.Zero },
        { "Vip:Watch:0:Address: 'vip.lan' is not an IPv4 address", o => o.Watch.Add(new VipWatchOptions { Address = "vip.lan" }) },
        { "Vip:Watch:0:Address: '' is not an IPv4 address", o => o.Watch.Add(new VipWatchOptions()) },
        { "Vip:Watch:0:Address: '2001:db8::1' is not an IPv4 address", o => o.Watch.Add(new VipWatchOptions { Address = "2001:db8::1" }) },
        { "Vip:Watch:0:Address: '10' is not an IPv4 address", o => o.Watch.Add(new VipWatchOptions { Address = "10" }) },
        { "Vip:Watch:0:Address: '127.0.0.1' cannot be a VIP", o => o.Watch.Add(new VipWatchOptions { Address = "127.0.0.1" }) },
        { "Vip:Watch:0:Address: '224.0.0.18' cannot be a VIP", o => o.Watch.Add(new VipWatchOptions { Address = "224.0.0.18" }) },
        { "Vip:Watch:1:Address: '192.0.2.100' is already watched as Vip:Watch:0", o =>
            {
                o.Watch.Add(new VipWatchOptions { Address = "192.0.2.100" });
                o.Watch.Add(new VipWatchOptions { Address = "192.0.2.100" });
            }
        },
        { "Vip:Watch:0:Interface: 'eth0/../x' is not an interface name", o => o.Watch.Add(new VipWatchOptions { Address = "192.0.2.100", Interface = "eth0/../x" }) },
        { "Vip:Watch:0:Interface: 'a-very-long-interface' is not", o => o.Watch.Add(new VipWatchOptions { Address = "192.0.2.100", Interface = "a-very-long-interface" }) },
        { "Vip:Watch:0:Mode: 'vrrp' is not one of auto, metallb-l2, keepalived, kube-vip", o => o.Watch.Add(new VipWatchOptions { Address = "192.0.2.100", Mode = "vrrp" }) },
        { "Vip:Watch:0:Ports:1: 70000 is not a TCP port", o =>
            {
                var watch = new VipWatchOptions { Address = "192.0.2.100" };
                watch.Ports.Add(80);
                watch.Ports.Add(70000);
                o.Watch.Add(watch);
            }
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_Invalid_NamesTheKey(string expected, Action<VipOptions> change)
    {
        var options = new VipOptions();
        change(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Mode_MapsToTheReportsEnum()
    {
        Assert.Equal(Protos.V1.VipMode.KubeVip, VipModes.Parse("kube-vip"));
        Assert.Equal(Protos.V1.VipMode.MetallbL2, VipModes.Parse(" MetalLB-L2 "));
        Assert.Null(VipModes.Parse("l2"));
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "agent", "Bramble.Agent", "appsettings.json");
        var section = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build().GetSection(VipOptions.Section);

        var options = section.Get<VipOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.NotNull(options);
        Assert.Empty(options.Watch);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Window);
        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void CommandLineStyleKeys_BindToAWatch()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vip:Watch:0:Address"] = "192.0.2.100",
            ["Vip:Watch:0:Interface"] = "eth0",
            ["Vip:Watch:0:Mode"] = "keepalived",
            ["Vip:Watch:0:Ports:0"] = "443",
            ["Vip:Window"] = "00:00:00.250",
        }).Build();

        var options = configuration.GetSection(VipOptions.Section).Get<VipOptions>(binder => binder.ErrorOnUnknownConfiguration = true)!;

        var watch = Assert.Single(options.Watch);
        Assert.Equal("192.0.2.100", watch.Address);
        Assert.Equal("eth0", watch.Interface);
        Assert.Equal([443], watch.Ports);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Window);
    }
}
