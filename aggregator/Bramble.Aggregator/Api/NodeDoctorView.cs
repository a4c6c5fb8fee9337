using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Api;

/// <summary>A node's latest doctor run as the JSON API and the status page show it.</summary>
public sealed record NodeDoctorView(string Node, DateTimeOffset CheckedAt, IReadOnlyList<DoctorFindingView> Findings, IReadOnlyList<CertificateDateView> Certificates)
{
    /// <summary>The node's view, or null when its agent has sent no doctor summary yet.</summary>
    public static NodeDoctorView? From(NodeEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        DoctorSummary? summary;
        lock (entry.Gate)
        {
            summary = entry.LatestDoctor;
        }

        if (summary is null)
        {
            return null;
        }

        return new NodeDoctorView(
            entry.Name,
            summary.CheckedAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue,
            summary.Findings.Select(f => new DoctorFindingView(f.Check, StatusName(f.Status), f.Evidence, f.Fix, $"docs/runbooks/{f.Check}.md")).ToArray(),
            summary.Certificates.Select(c =>
            {
                var notAfter = c.NotAfter?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
                return new CertificateDateView(c.Path, c.Subject, notAfter, (int)Math.Floor((notAfter - now).TotalDays), StatusName(c.Status));
            }).ToArray());
    }

    /// <summary>The names `bramble-agent doctor --json` uses.</summary>
    public static string StatusName(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.NotApplicable => "not_applicable",
        DoctorStatus.Skipped => "skipped",
        DoctorStatus.Warn => "warn",
        DoctorStatus.Fail => "fail",
        _ => "unknown",
    };
}
