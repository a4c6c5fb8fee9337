using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Doctor;

/// <summary>
/// The doctor's checks inside the agent, under the probe contract: they run at most every Doctor:Interval (the last
/// result is reported in between), and their summary rides in a report only when it is new to the aggregator — the
/// first report after a run whose outcome changed — and again every Doctor:ResendInterval. Every report carrying a
/// dozen findings and the whole calendar would fill the outbox during an aggregator outage.
/// </summary>
public sealed class DoctorProbe : IProbe
{
    private readonly DoctorContextFactory _factory;
    private readonly TimeProvider _time;
    private readonly DoctorOptions _options;
    private readonly Lock _gate = new();
    private DoctorReport? _last;
    private DateTimeOffset _lastRun;
    private string _lastFingerprint = string.Empty;
    private string? _sentFingerprint;
    private DateTimeOffset _lastSent;

    public DoctorProbe(DoctorContextFactory factory, TimeProvider time, IOptions<DoctorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _factory = factory;
        _time = time;
        _options = options.Value;
    }

    public string Name => "doctor";

    public Capability Capability => Capability.ProbeVitals;

    // iw may take up to its 2 s deadline per Wi-Fi interface; reading the whole kernel ring buffer takes some too;
    // the root-squash children may take their start limit and deadline on a hung mount.
    public TimeSpan? Timeout => TimeSpan.FromSeconds(10) + _factory.MaxChildWait;

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        bool due;
        lock (_gate)
        {
            due = _last is null || now - _lastRun >= _options.Interval;
        }

        if (due)
        {
            // Outside the lock (the runner never runs one probe twice at once): the context waits on child processes.
            var report = DoctorRunner.Run(_factory.NodeName, await _factory.CreateAsync(cancellationToken));
            lock (_gate)
            {
                _last = report;
                _lastRun = now;
                _lastFingerprint = Fingerprint(report);
            }
        }

        DoctorReport current;
        string fingerprint;
        lock (_gate)
        {
            current = _last!;
            fingerprint = _lastFingerprint;
        }

        // The probe ran, so its status is ok; what the checks found is in the detail (the status page's cell title).
        var counts = current.Findings.GroupBy(f => f.Status).Where(g => g.Key is DoctorStatus.Fail or DoctorStatus.Warn)
            .OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {DoctorTextWriter.Label(g.Key)}");
        return new ProbeResult(ProbeStatus.Ok, string.Join(", ", counts), "doctor:" + fingerprint, target => Contribute(target, fingerprint, current));
    }

    private void Contribute(Report target, string fingerprint, DoctorReport report)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (fingerprint == _sentFingerprint && now - _lastSent < _options.ResendInterval)
            {
                return;
            }

            _sentFingerprint = fingerprint;
            _lastSent = now;
        }

        target.Doctor = DoctorSummaryMapper.Map(report);
    }

    // Statuses only: evidence such as "in 20 days" changes daily and must not count as a new outcome.
    private static string Fingerprint(DoctorReport report) =>
        string.Join(',', report.Findings.Select(f => $"{f.Check}={f.Status}").Concat(report.Certificates.Select(c => $"{c.Path}={c.Status}")));
}
