using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vitals;

/// <summary>`bramble-agent --once` over fixture procfs and sysfs trees of an unhappy Raspberry Pi, in the kernel's own formats.</summary>
public sealed class PiVitalsOnceTests
{
    [Fact]
    public async Task Once_UnderVoltedPiWithReadOnlyCard_ReportsFlagsPressureAndReadOnlyRoot()
    {
        using var procRoot = new FixtureProcRoot("11111111-2222-4333-8444-555555555555");
        using var sysRoot = new TempDirectory();
        Write(procRoot.Path, "self/mountinfo",
            "22 26 0:4 / /proc rw,relatime shared:12 - proc proc rw\n" +
            "26 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 ro\n" +
            "29 26 179:1 / /boot/firmware rw,relatime shared:16 - vfat /dev/mmcblk0p1 rw,fmask=0022,dmask=0022\n");
        Write(procRoot.Path, "pressure/io", "some avg10=12.40 avg60=8.95 avg300=3.11 total=893264455\nfull avg10=11.62 avg60=8.23 avg300=2.85 total=821375322\n");
        Write(procRoot.Path, "pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=14418716\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=13466468\n");
        Write(procRoot.Path, "pressure/cpu", "some avg10=1.53 avg60=0.87 avg300=0.56 total=2735498137\n");
        Write(sysRoot.Path, "devices/platform/soc/soc:firmware/get_throttled", "50005\n");
        Write(sysRoot.Path, "class/thermal/thermal_zone0/temp", "81250\n");

        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=pi-1", $"--Agent:ProcRoot={procRoot.Path}", $"--Agent:SysRoot={sysRoot.Path}"]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        using var json = JsonDocument.Parse(agent.Output[agent.Output.IndexOf('{', StringComparison.Ordinal)..]);
        var vitals = json.RootElement.GetProperty("vitals");
        Assert.Equal(0x50005, vitals.GetProperty("throttledFlags").GetInt32());
        Assert.True(vitals.GetProperty("rootReadOnly").GetBoolean());
        Assert.Equal(81.25, vitals.GetProperty("cpuTemperatureCelsius").GetDouble());
        Assert.Equal(11.62, vitals.GetProperty("ioPressure").GetProperty("full").GetProperty("avg10").GetDouble());
        Assert.Equal("821.375322s", vitals.GetProperty("ioPressure").GetProperty("full").GetProperty("total").GetString());
        Assert.Equal(1.53, vitals.GetProperty("cpuPressure").GetProperty("some").GetProperty("avg10").GetDouble());
        Assert.False(vitals.GetProperty("cpuPressure").TryGetProperty("full", out _));
        // This machine's clock and root file system, read for real: present, whatever their values.
        Assert.True(vitals.TryGetProperty("clockMaxError", out _));
        Assert.True(vitals.TryGetProperty("rootSizeBytes", out _));
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
