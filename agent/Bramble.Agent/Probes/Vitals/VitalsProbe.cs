using System.Globalization;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Vitals;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Agent.Probes.Vitals;

/// <summary>
/// Load, memory, uptime, temperature, the Pi firmware's throttling flags, pressure stalls, a read-only or full root
/// and the clock's synchronisation, from procfs, sysfs, statvfs and adjtimex.
/// </summary>
public sealed class VitalsProbe : IProbe
{
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly IClockSyncReader _clock;
    private readonly IDiskSpaceReader _disk;

    public VitalsProbe(IFileSystem fileSystem, HostPaths paths, IClockSyncReader clock, IDiskSpaceReader disk)
    {
        _fileSystem = fileSystem;
        _paths = paths;
        _clock = clock;
        _disk = disk;
    }

    public string Name => "vitals";

    public Capability Capability => Capability.ProbeVitals;

    public TimeSpan? Timeout => null;

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var load = LoadAverage.Parse(_fileSystem.TryReadAllText(_paths.Proc("loadavg")));
        var memory = MemoryInfo.Parse(_fileSystem.TryReadAllText(_paths.Proc("meminfo")));
        if (load is null || memory is null)
        {
            return Task.FromResult(ProbeResult.Error($"cannot read loadavg or meminfo under {_paths.ProcRoot}"));
        }

        var uptime = Uptime.Parse(_fileSystem.TryReadAllText(_paths.Proc("uptime")));
        var temperature = ThermalZones.ReadHottestCelsius(_fileSystem, _paths);
        var throttle = ThrottleFlags.Read(_fileSystem, _paths);
        var mountInfo = _fileSystem.TryReadAllText(_paths.Proc("self/mountinfo"));
        var rootReadOnly = RootFileSystem.IsReadOnly(mountInfo);
        var rootWritten = RootFileSystem.BlockDevice(mountInfo) is var (major, minor)
            ? BlockDeviceStat.ParseWrittenBytes(_fileSystem.TryReadAllText(_paths.Sys(BlockDeviceStat.SysfsPath(major, minor))))
            : null;
        var clock = _clock.Read();
        var rootSpace = _disk.Read("/");
        var pressure = PressureStall.Resources.ToDictionary(
            resource => resource,
            resource => PressureStall.Parse(_fileSystem.TryReadAllText(_paths.Proc($"pressure/{resource}"))),
            StringComparer.Ordinal);

        return Task.FromResult(ProbeResult.Ok(
            report =>
            {
                var vitals = new NodeVitals
                {
                    Load1 = load.One,
                    Load5 = load.Five,
                    Load15 = load.Fifteen,
                    MemoryTotalBytes = memory.TotalBytes,
                    MemoryAvailableBytes = memory.AvailableBytes,
                    UptimeSeconds = uptime ?? 0,
                    RootReadOnly = rootReadOnly ?? false,
                    CpuPressure = ToMessage(pressure["cpu"]),
                    MemoryPressure = ToMessage(pressure["memory"]),
                    IoPressure = ToMessage(pressure["io"]),
                };
                if (temperature is { } celsius)
                {
                    vitals.CpuTemperatureCelsius = celsius;
                }

                if (throttle is { } flags)
                {
                    vitals.ThrottledFlags = flags.Bits;
                }

                if (rootSpace is not null)
                {
                    vitals.RootSizeBytes = rootSpace.TotalBytes;
                    vitals.RootAvailableBytes = rootSpace.AvailableBytes;
                }

                if (rootWritten is { } written)
                {
                    vitals.RootDeviceWrittenBytes = written;
                }

                if (clock is not null)
                {
                    vitals.ClockSynchronized = clock.Synchronized;
                    vitals.ClockMaxError = Duration.FromTimeSpan(clock.MaxError);
                    vitals.ClockEstimatedError = Duration.FromTimeSpan(clock.EstimatedError);
                }

                // Merged: the state-storage and address probes add their fields to the same message.
                (report.Vitals ??= new NodeVitals()).MergeFrom(vitals);
            },
            Fingerprint(throttle, rootReadOnly, clock)));
    }

    // The conditions that should reach the aggregator at once rather than at the next interval; load and memory
    // move all the time and would make every run a change.
    private static string Fingerprint(ThrottleFlags? throttle, bool? rootReadOnly, ClockSyncState? clock) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"throttled={(throttle is { } t ? $"0x{t.Bits:x}" : "none")};root={(rootReadOnly switch { true => "ro", false => "rw", null => "unknown" })};clock={(clock is null ? "unknown" : clock.Synchronized ? "synced" : "unsynced")}");

    private static Pressure? ToMessage(PressureStall? stall) => stall is null
        ? null
        : new Pressure { Some = ToMessage(stall.Some), Full = stall.Full is null ? null : ToMessage(stall.Full) };

    private static Protos.V1.PressureLine ToMessage(Linux.Vitals.PressureLine line) => new()
    {
        Avg10 = line.Avg10,
        Avg60 = line.Avg60,
        Avg300 = line.Avg300,
        Total = Duration.FromTimeSpan(TimeSpan.FromMicroseconds(line.TotalMicroseconds)),
    };
}
