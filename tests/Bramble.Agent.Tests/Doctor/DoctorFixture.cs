using Bramble.Agent.Doctor;
using Bramble.Agent.Doctor.RootSquash;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.KernelLog;
using Bramble.Testing;

namespace Bramble.Agent.Tests.Doctor;

/// <summary>A node in memory: procfs under /proc, sysfs under /sys, the host's root under /host (files in their kernel formats).</summary>
internal sealed class DoctorFixture
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public InMemoryFileSystem Files { get; } = new();

    public List<AnnouncingInterface> Interfaces { get; } = [];

    public string? NodeInterface { get; set; }

    public List<KmsgRecord>? KernelLog { get; set; } = [];

    public (bool? On, string How) PowerSave { get; set; } = (null, "iw is not installed");

    /// <summary>What the root-squash child "saw" per mount point (the prober's output).</summary>
    public Dictionary<string, RootSquashProbeResult> RootSquash { get; } = new(StringComparer.Ordinal);

    public DoctorFixture Proc(string relative, string text)
    {
        Files.Add("/proc/" + relative, text);
        return this;
    }

    public DoctorFixture Sys(string relative, string text)
    {
        Files.Add("/sys/" + relative, text);
        return this;
    }

    public DoctorFixture Host(string absolute, string text)
    {
        Files.Add("/host" + absolute, text);
        return this;
    }

    /// <summary>An interface in /sys/class/net with its flags (0x1003: up, broadcast, multicast), Wi-Fi when asked.</summary>
    public DoctorFixture Interface(string name, bool wireless = false, string flags = "0x1003", bool announcing = true)
    {
        Sys($"class/net/{name}/flags", flags + "\n");
        Sys($"class/net/{name}/uevent", wireless ? $"DEVTYPE=wlan\nINTERFACE={name}\nIFINDEX=3\n" : $"INTERFACE={name}\nIFINDEX=2\n");
        if (wireless)
        {
            Sys($"class/net/{name}/phy80211/name", "phy0\n");
        }

        if (announcing)
        {
            Interfaces.Add(new AnnouncingInterface(name, "default route; no Vip:Watch"));
            NodeInterface ??= name;
        }

        return this;
    }

    /// <summary>A mountinfo line as the kernel writes it for an NFS mount (super options after the source).</summary>
    public DoctorFixture NfsMount(string mountPoint, string superOptions, string source = "nas.lan:/export")
    {
        var existing = Files.TryReadAllText("/proc/self/mountinfo") ?? "22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n";
        var id = 100 + existing.Split('\n').Length;
        return Proc("self/mountinfo", existing + $"{id} 22 0:{id} / {mountPoint} rw,relatime shared:{id} - nfs {source} {superOptions}\n");
    }

    public DoctorFixture Process(int pid, string command)
    {
        return Proc($"{pid}/stat", $"{pid} ({command}) S 1 {pid} {pid} 0 -1 4194624 2040 0 0 0 1 2 0 0 20 0 1 0 1234 7000000 300 18446744073709551615\n");
    }

    public DoctorContext Context() => new(
        Files,
        new HostPaths("/proc", "/sys"),
        "/host",
        Now,
        Interfaces,
        NodeInterface,
        KernelLog,
        KernelLog is null ? "cannot open /dev/kmsg: EACCES" : null,
        new FixedPowerSave(PowerSave),
        RootSquash);

    public IReadOnlyList<DoctorFinding> Run(IDoctorCheck check) => check.Run(Context());

    private sealed class FixedPowerSave((bool? On, string How) answer) : IWifiPowerSaveReader
    {
        public (bool? On, string How) Read(string interfaceName) => answer;
    }
}
