using Bramble.Protos.V1;

namespace Bramble.Agent.Probing;

/// <summary>
/// What one probe run found. <see cref="Fingerprint"/> summarises the outcome (e.g. "nfs:/mnt/nas=hung"): when it
/// changes between runs, a report goes out at once instead of waiting for the interval.
/// </summary>
public sealed record ProbeResult(ProbeStatus Status, string Detail, string Fingerprint, Action<Report>? Contribute)
{
    public static ProbeResult Ok(Action<Report> contribute, string fingerprint = "ok") =>
        new(ProbeStatus.Ok, string.Empty, fingerprint, contribute);

    public static ProbeResult NothingToProbe(string detail) =>
        new(ProbeStatus.NothingToProbe, detail, "nothing", null);

    public static ProbeResult Error(string detail) =>
        new(ProbeStatus.Error, detail, "error", null);

    public static ProbeResult TimedOut(string detail) =>
        new(ProbeStatus.Timeout, detail, "timeout", null);
}
