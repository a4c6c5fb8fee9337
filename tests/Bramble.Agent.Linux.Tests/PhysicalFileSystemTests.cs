using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Identity;
using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests;

/// <summary>The readers against a real fake-sysfs/procfs tree on disk, through <see cref="PhysicalFileSystem"/>.</summary>
public sealed class PhysicalFileSystemTests : IDisposable
{
    private readonly FixtureTree _tree = new();
    private readonly HostPaths _paths;

    public PhysicalFileSystemTests()
    {
        _paths = new HostPaths(Path.Combine(_tree.Root, "proc"), Path.Combine(_tree.Root, "sys"));
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void HostPaths_Default_PointsAtProcAndSys()
    {
        Assert.Equal("/proc/loadavg", HostPaths.Default.Proc("loadavg"));
        Assert.Equal("/sys/class/net", HostPaths.Default.Sys("class/net"));
    }

    [Fact]
    public void TryReadAllText_MissingFile_ReturnsNull()
    {
        Assert.Null(PhysicalFileSystem.Instance.TryReadAllText(Path.Combine(_tree.Root, "nope")));
    }

    [Fact]
    public void TryReadAllText_Directory_ReturnsNull()
    {
        _tree.Write("dir/file", "x");

        Assert.Null(PhysicalFileSystem.Instance.TryReadAllText(Path.Combine(_tree.Root, "dir")));
    }

    [Fact]
    public void ListDirectory_ReturnsNamesOfFilesAndDirectories()
    {
        _tree.Write("d/a.txt", "1");
        _tree.Write("d/sub/b.txt", "2");

        var names = PhysicalFileSystem.Instance.ListDirectory(Path.Combine(_tree.Root, "d"));

        Assert.Equal(["a.txt", "sub"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ListDirectory_Missing_ReturnsEmpty()
    {
        Assert.Empty(PhysicalFileSystem.Instance.ListDirectory(Path.Combine(_tree.Root, "missing")));
    }

    [Fact]
    public void NetworkInterfaces_FakeSysfs_ReadsEth0AndSkipsLoopback()
    {
        _tree.Write("sys/class/net/eth0/address", "dc:a6:32:aa:bb:cc\n");
        _tree.Write("sys/class/net/eth0/operstate", "up\n");
        _tree.Write("sys/class/net/lo/address", "00:00:00:00:00:00\n");
        _tree.Write("sys/class/net/lo/operstate", "unknown\n");

        var nics = NetworkInterfaces.Read(PhysicalFileSystem.Instance, _paths);

        Assert.Equal([new NetworkInterfaceInfo("eth0", "dc:a6:32:aa:bb:cc", true)], nics);
    }

    [Fact]
    public void ThermalZones_FakeSysfs_ReturnsHottestZone()
    {
        _tree.Write("sys/class/thermal/thermal_zone0/temp", "48312\n");
        _tree.Write("sys/class/thermal/thermal_zone1/temp", "51000\n");
        _tree.Write("sys/class/thermal/thermal_zone2/temp", "garbage\n");
        _tree.Write("sys/class/thermal/cooling_device0/cur_state", "0\n");

        Assert.Equal(51.0, ThermalZones.ReadHottestCelsius(PhysicalFileSystem.Instance, _paths));
    }

    [Fact]
    public void ThermalZones_SingleZone_ReturnsItsCelsius()
    {
        _tree.Write("sys/class/thermal/thermal_zone0/temp", "48312\n");

        Assert.Equal(48.312, ThermalZones.ReadHottestCelsius(PhysicalFileSystem.Instance, _paths));
    }

    [Fact]
    public void ThermalZones_NoThermalClass_ReturnsNull()
    {
        Directory.CreateDirectory(Path.Combine(_tree.Root, "sys"));

        Assert.Null(ThermalZones.ReadHottestCelsius(PhysicalFileSystem.Instance, _paths));
    }

    [Fact]
    public void ThermalZones_OnlyNonZoneEntries_ReturnsNull()
    {
        _tree.Write("sys/class/thermal/cooling_device0/temp", "90000\n");

        Assert.Null(ThermalZones.ReadHottestCelsius(PhysicalFileSystem.Instance, _paths));
    }

    [Fact]
    public void BootId_FakeProcfs_ReadsIt()
    {
        _tree.Write("proc/sys/kernel/random/boot_id", ProcText.BootId);

        Assert.Equal("6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", BootId.Read(PhysicalFileSystem.Instance, _paths));
    }

    [Fact]
    public void ProcFiles_FakeProcfs_ParseThroughHostPaths()
    {
        _tree.Write("proc/loadavg", ProcText.LoadAvg);
        _tree.Write("proc/meminfo", ProcText.MemInfo);
        _tree.Write("proc/uptime", ProcText.Uptime);
        var fs = PhysicalFileSystem.Instance;

        Assert.Equal(new LoadAverage(2.48, 1.06, 0.44), LoadAverage.Parse(fs.TryReadAllText(_paths.Proc("loadavg"))));
        Assert.Equal(24684084UL * 1024, MemoryInfo.Parse(fs.TryReadAllText(_paths.Proc("meminfo")))?.TotalBytes);
        Assert.Equal(4307.25, Uptime.Parse(fs.TryReadAllText(_paths.Proc("uptime"))));
    }
}

public sealed class ThermalZonesTests
{
    [Fact]
    public void ReadHottestCelsius_InMemoryZones_PicksMaximumIncludingNegative()
    {
        var fs = new InMemoryFileSystem()
            .Add("/sys/class/thermal/thermal_zone0/temp", "-3000\n")
            .Add("/sys/class/thermal/thermal_zone1/temp", "-1000\n");

        Assert.Equal(-1.0, ThermalZones.ReadHottestCelsius(fs, HostPaths.Default));
    }
}
