using Bramble.Agent.Linux.Doctor;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// k3s / kubelet started before the clock is synchronised: a Pi has no RTC and boots at its last saved time, so
/// certificates look "not yet valid" or expired and k3s may even issue new ones with the wrong dates. The unit must
/// be ordered After=time-sync.target (read from the unit file and its drop-ins under the host root), and that target
/// only waits for the sync when systemd-time-wait-sync.service or chrony-wait.service is enabled.
/// </summary>
public sealed class TimeSyncOrderingCheck : IDoctorCheck
{
    private static readonly string[] Units = ["k3s.service", "k3s-agent.service", "kubelet.service"];
    private static readonly string[] UnitDirectories = ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];
    private static readonly string[] WaitServices = ["systemd-time-wait-sync.service", "chrony-wait.service"];

    public string Name => "time-sync-ordering";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var findings = new List<DoctorFinding>();
        foreach (var unit in Units)
        {
            var main = UnitDirectories.Select(d => $"{d}/{unit}").FirstOrDefault(p => context.ReadHostFile(p) is not null);
            if (main is null)
            {
                continue;
            }

            var dropIns = UnitDirectories
                .SelectMany(d => context.ListHostDirectory($"{d}/{unit}.d").Where(f => f.EndsWith(".conf", StringComparison.Ordinal)).Select(f => (Name: f, Path: $"{d}/{unit}.d/{f}")))
                .GroupBy(f => f.Name, StringComparer.Ordinal)
                .Select(g => g.First())
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToArray();
            var texts = new[] { context.ReadHostFile(main) }.Concat(dropIns.Select(f => context.ReadHostFile(f.Path)));
            var after = UnitDependencies.Collect(texts, "After");
            var files = string.Join(", ", new[] { main }.Concat(dropIns.Select(f => f.Path)));
            if (!after.Contains("time-sync.target", StringComparer.Ordinal))
            {
                findings.Add(new(Name, DoctorStatus.Fail, $"{unit} is not ordered after time-sync.target ({files})", "install deploy/systemd/k3s.service.d/10-after-time-sync.conf as /etc/systemd/system/UNIT.d/ and enable systemd-time-wait-sync.service"));
                continue;
            }

            var waiter = WaitServices.FirstOrDefault(s => IsEnabled(context, s));
            findings.Add(waiter is null
                ? new(Name, DoctorStatus.Warn, $"{unit} is ordered after time-sync.target, but nothing delays that target until the clock is synchronised", "systemctl enable systemd-time-wait-sync.service (or chrony-wait.service)")
                : new(Name, DoctorStatus.Ok, $"{unit} is ordered after time-sync.target; {waiter} enabled"));
        }

        return findings.Count == 0 ? [new(Name, DoctorStatus.NotApplicable, "no k3s, k3s-agent or kubelet unit")] : findings;
    }

    // Enabled = linked into some *.wants directory under /etc/systemd/system (where `systemctl enable` puts it).
    private static bool IsEnabled(DoctorContext context, string service) =>
        context.ListHostDirectory("/etc/systemd/system")
            .Where(d => d.EndsWith(".wants", StringComparison.Ordinal))
            .Any(d => context.ListHostDirectory($"/etc/systemd/system/{d}").Contains(service, StringComparer.Ordinal));
}
