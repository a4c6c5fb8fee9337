using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Systemd;
using Bramble.Agent.Linux.Vitals;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>
/// The kubelet's healthz, its systemd unit (state, restarts, start time), its certificates' expiry and its container
/// runtime. A node with none of them (nothing listens, no unit, no certificate, no CRI socket) has no kubelet: nothing
/// to probe, not a failure.
/// </summary>
public sealed class KubeletProbe : IProbe
{
    // Healthz, systemctl and the CRI call run side by side, each within Kubelet:Timeout; the rest is file reads.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private readonly KubeletHealthzClient _healthz;
    private readonly KubeletUnitLocator _units;
    private readonly KubeletCertificateReader _certificates;
    private readonly CriRuntimeClient _runtime;
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly KubeletOptions _options;

    public KubeletProbe(
        KubeletHealthzClient healthz,
        KubeletUnitLocator units,
        KubeletCertificateReader certificates,
        CriRuntimeClient runtime,
        IFileSystem fileSystem,
        HostPaths paths,
        TimeProvider time,
        IOptions<KubeletOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _healthz = healthz;
        _units = units;
        _certificates = certificates;
        _runtime = runtime;
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
        _options = options.Value;
    }

    private bool _kubeletSeen;

    public string Name => "kubelet";

    public Capability Capability => Capability.ProbeKubelet;

    public TimeSpan? Timeout => _options.Timeout + Slack;

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var healthzTask = _healthz.CheckAsync(cancellationToken);
        var unitTask = _units.FindAsync(cancellationToken);
        var runtimeTask = _runtime.VersionAsync(cancellationToken);
        var healthz = await healthzTask;
        var lookup = await unitTask;
        var runtime = await runtimeTask;
        var client = _certificates.Read(_options.ClientCertificatePath, KubeletOptions.DefaultClientCertificatePaths);
        var serving = _certificates.Read(_options.ServingCertificatePath, KubeletOptions.DefaultServingCertificatePaths);

        // Once a kubelet has been seen here, nothing listening is a dead kubelet, not "no kubelet".
        var noKubelet = healthz.Result == HealthzResult.Refused && lookup.Unit is null && client is null && serving is null;
        if (!noKubelet)
        {
            _kubeletSeen = true;
        }

        if (noKubelet && !_kubeletSeen)
        {
            var units = _options.Unit.Length > 0 ? _options.Unit : string.Join(", ", KubeletOptions.DefaultUnits);
            var unitDetail = lookup.Known ? $"no {units} unit" : "unit state unknown (no systemd)";
            var noKubeletDetail = $"no kubelet found: nothing listens on {_options.HealthzUrl}, {unitDetail}, no kubelet certificate";
            if (runtime is null)
            {
                return ProbeResult.NothingToProbe(noKubeletDetail);
            }

            // A CRI socket is still news (a runtime that does not answer is ContainerRuntimeDown), but healthz is
            // unknown, not refused: a machine with only containerd (Docker, a k3s node not yet joined) has no kubelet
            // to be down.
            healthz = healthz with { Result = HealthzResult.Unspecified, Detail = noKubeletDetail };
        }

        var activeSince = ActiveSince(lookup.Unit);

        // The probe worked even when the kubelet did not: status OK, with why healthz or the runtime failed as its
        // detail for logs and the status page (the report's fields carry the classified outcome).
        var detail = string.Join("; ", new[]
        {
            healthz.Detail.Length > 0 ? "healthz " + healthz.Detail : string.Empty,
            runtime is { Detail.Length: > 0 } ? "runtime " + runtime.Detail : string.Empty,
        }.Where(d => d.Length > 0));
        return new ProbeResult(
            ProbeStatus.Ok,
            detail,
            Fingerprint(healthz, lookup, runtime),
            report =>
            {
                var status = new KubeletStatus
                {
                    Healthz = healthz.Result,
                    HealthzHttpStatus = healthz.HttpStatus,
                    HealthzLatency = Duration.FromTimeSpan(healthz.Latency),
                    ClientCertNotAfter = client is null ? null : Timestamp.FromDateTimeOffset(client.NotAfter),
                    ServingCertNotAfter = serving is null ? null : Timestamp.FromDateTimeOffset(serving.NotAfter),
                };
                if (runtime is not null)
                {
                    status.RuntimeResult = runtime.Result;
                    status.RuntimeOk = runtime.Result == RuntimeResult.Ok;
                    status.RuntimeSocket = runtime.Socket;
                    status.RuntimeName = runtime.RuntimeName;
                    status.RuntimeVersion = runtime.RuntimeVersion;
                }

                if (lookup.Unit is { } unit)
                {
                    status.Unit = unit.Unit;
                    status.ActiveState = unit.ActiveState;
                    status.SubState = unit.SubState;
                    status.Restarts = unit.Restarts;
                    status.ActiveSince = activeSince is { } since ? Timestamp.FromDateTimeOffset(since) : null;
                }

                report.Kubelet = status;
            });
    }

    // Every restart changes the fingerprint, so a crash loop reaches the aggregator as it happens.
    private static string Fingerprint(HealthzObservation healthz, KubeletUnitLookup lookup, RuntimeObservation? runtime)
    {
        var cri = runtime?.Result switch
        {
            null => "none",
            RuntimeResult.Ok => "ok",
            RuntimeResult.Refused => "refused",
            RuntimeResult.Timeout => "timeout",
            _ => "error",
        };
        var result = healthz.Result switch
        {
            HealthzResult.Ok => "ok",
            HealthzResult.Unhealthy => "unhealthy",
            HealthzResult.Refused => "refused",
            HealthzResult.Timeout => "timeout",
            _ => "unknown",
        };
        var unit = lookup.Unit is { } u
            ? $"{u.Unit}:{u.ActiveState}/{u.SubState};restarts={u.Restarts}"
            : lookup.Known ? "none" : "unknown";
        return $"healthz={result};unit={unit};runtime={cri}";
    }

    /// <summary>
    /// Wall-clock time the unit became active. systemd records CLOCK_MONOTONIC; /proc/uptime counts CLOCK_BOOTTIME,
    /// which differs only by time spent suspended, and Pis in a cluster do not suspend.
    /// </summary>
    private DateTimeOffset? ActiveSince(UnitState? unit)
    {
        if (unit?.ActiveEnterMonotonic is not { } entered || Uptime.Parse(_fileSystem.TryReadAllText(_paths.Proc("uptime"))) is not { } uptime)
        {
            return null;
        }

        var ago = TimeSpan.FromSeconds(uptime) - entered;
        return ago < TimeSpan.Zero ? null : _time.GetUtcNow() - ago;
    }
}
