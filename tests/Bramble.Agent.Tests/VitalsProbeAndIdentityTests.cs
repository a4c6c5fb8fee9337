using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Vitals;
using Bramble.Agent.Tests.Vitals;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Agent.Tests;

public sealed class VitalsProbeTests
{
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");
    private static readonly FakeClockSyncReader NoClock = new(null);

    private static InMemoryFileSystem Host() => new InMemoryFileSystem()
        .Add("/host/proc/loadavg", "2.48 1.06 0.44 1/82 5436\n")
        .Add("/host/proc/meminfo", "MemTotal:       24684084 kB\nMemFree:        24123180 kB\nMemAvailable:   24302412 kB\n")
        .Add("/host/proc/uptime", "4307.25 8386.56\n")
        .Add("/host/sys/class/thermal/thermal_zone0/temp", "48312\n");

    [Fact]
    public async Task ProbeAsync_FixtureHost_ContributesVitals()
    {
        var result = await new VitalsProbe(Host(), Paths, NoClock, new FakeDiskSpaceReader(null)).ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal(2.48, report.Vitals.Load1);
        Assert.Equal(0.44, report.Vitals.Load15);
        Assert.Equal(24684084UL * 1024, report.Vitals.MemoryTotalBytes);
        Assert.Equal(24302412UL * 1024, report.Vitals.MemoryAvailableBytes);
        Assert.Equal(4307.25, report.Vitals.UptimeSeconds);
        Assert.True(report.Vitals.HasCpuTemperatureCelsius);
        Assert.Equal(48.312, report.Vitals.CpuTemperatureCelsius);
    }

    [Fact]
    public async Task ProbeAsync_NoThermalZones_LeavesTemperatureUnset()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/proc/loadavg", "0.00 0.01 0.05 1/82 5436\n")
            .Add("/host/proc/meminfo", "MemTotal: 1024 kB\nMemAvailable: 512 kB\n");

        var result = await new VitalsProbe(fs, Paths, NoClock, new FakeDiskSpaceReader(null)).ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.False(report.Vitals.HasCpuTemperatureCelsius);
        Assert.Equal(0.0, report.Vitals.UptimeSeconds);
    }

    [Theory]
    [InlineData("/host/proc/loadavg")]
    [InlineData("/host/proc/meminfo")]
    public async Task ProbeAsync_MissingProcFile_IsError(string missing)
    {
        var full = Host();
        var fs = new InMemoryFileSystem();
        foreach (var path in new[] { "/host/proc/loadavg", "/host/proc/meminfo", "/host/proc/uptime" }.Where(p => p != missing))
        {
            fs.Add(path, full.TryReadAllText(path)!);
        }

        var result = await new VitalsProbe(fs, Paths, NoClock, new FakeDiskSpaceReader(null)).ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Error, result.Status);
        Assert.Null(result.Contribute);
        Assert.Contains("/host/proc", result.Detail, StringComparison.Ordinal);
    }
}

public sealed class AgentIdentityTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void CreateHello_CarriesIdentityCapabilitiesAndInterfaces()
    {
        var identity = TestIdentity.Create(_time);

        var hello = identity.CreateHello([Capability.ExecuteCommands, Capability.ProbeVitals, Capability.ExecuteCommands]);

        Assert.Equal("pi-07", hello.NodeName);
        Assert.Equal(TestIdentity.BootId, hello.BootId);
        Assert.Equal(identity.InstanceId, hello.InstanceId);
        Assert.Equal(1U, hello.ProtocolVersion);
        Assert.Equal(_time.GetUtcNow(), hello.StartedAt.ToDateTimeOffset());
        Assert.Equal([Capability.ProbeVitals, Capability.ExecuteCommands], hello.Capabilities);
        var nic = Assert.Single(hello.Interfaces);
        Assert.Equal(("eth0", "dc:a6:32:00:00:07", true), (nic.Name, nic.Mac, nic.Up));
    }

    [Fact]
    public void Constructor_NoBootId_FallsBackToARandomIdPerProcess()
    {
        var options = Options.Create(new AgentOptions { NodeName = "pi-07" });

        var first = new AgentIdentity(options, new InMemoryFileSystem(), HostPaths.Default, _time, NullLogger<AgentIdentity>.Instance);
        var second = new AgentIdentity(options, new InMemoryFileSystem(), HostPaths.Default, _time, NullLogger<AgentIdentity>.Instance);

        Assert.True(Guid.TryParseExact(first.BootId, "D", out _));
        Assert.NotEqual(first.BootId, second.BootId);
        Assert.NotEqual(first.InstanceId, second.InstanceId);
    }
}
