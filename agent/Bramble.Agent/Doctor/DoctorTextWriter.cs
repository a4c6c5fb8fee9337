using System.Globalization;
using System.Text;

namespace Bramble.Agent.Doctor;

/// <summary>The readable report: one line per finding (status, check, evidence, fix, runbook), the calendar, a summary.</summary>
public static class DoctorTextWriter
{
    public static string Format(DoctorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.AppendLine(invariant, $"bramble-agent doctor: {report.Node} at {report.CheckedAt:yyyy-MM-dd HH:mm:ss}Z");
        foreach (var finding in report.Findings)
        {
            text.Append(invariant, $"{Label(finding.Status),-14} {finding.Check,-21} {finding.Evidence}");
            if (finding.Status is DoctorStatus.Warn or DoctorStatus.Fail or DoctorStatus.Skipped && finding.Fix.Length > 0)
            {
                text.Append(invariant, $" | fix: {finding.Fix} | {finding.Runbook}");
            }

            text.AppendLine();
        }

        if (report.Certificates.Count > 0)
        {
            text.AppendLine("certificate calendar (warn within 120 and 30 days, fail within 7):");
            foreach (var certificate in report.Certificates)
            {
                text.AppendLine(invariant, $"  {certificate.NotAfter:yyyy-MM-dd} {certificate.DaysLeft,6} d  {Label(certificate.Status),-4} {certificate.Path} ({certificate.Subject})");
            }
        }

        var counts = Enum.GetValues<DoctorStatus>()
            .Select(s => (Status: s, Count: report.Findings.Count(f => f.Status == s)))
            .Where(c => c.Count > 0)
            .Select(c => $"{c.Count} {Label(c.Status)}");
        text.AppendLine(invariant, $"doctor: {string.Join(", ", counts)}; exit {report.ExitCode}");
        return text.ToString();
    }

    public static string Label(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.NotApplicable => "not applicable",
        DoctorStatus.Skipped => "skipped",
        DoctorStatus.Warn => "warn",
        _ => "fail",
    };
}
