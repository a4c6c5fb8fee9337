using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Vitals;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Vitals;

/// <summary>Load, memory, uptime and temperature from procfs and sysfs. Throttling and clock state come later.</summary>
public sealed class VitalsProbe : IProbe
{
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;

    public VitalsProbe(IFileSystem fileSystem, HostPaths paths)
    {
        _fileSystem = fileSystem;
        _paths = paths;
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
        return Task.FromResult(ProbeResult.Ok(report =>
        {
            var vitals = new NodeVitals
            {
                Load1 = load.One,
                Load5 = load.Five,
                Load15 = load.Fifteen,
                MemoryTotalBytes = memory.TotalBytes,
                MemoryAvailableBytes = memory.AvailableBytes,
                UptimeSeconds = uptime ?? 0,
            };
            if (temperature is { } celsius)
            {
                vitals.CpuTemperatureCelsius = celsius;
            }

            report.Vitals = vitals;
        }));
    }
}
