using Google.Protobuf.WellKnownTypes;
using Proto = Bramble.Protos.V1;

namespace Bramble.Agent.Doctor;

/// <summary>A doctor run as the report's DoctorSummary section.</summary>
public static class DoctorSummaryMapper
{
    public static Proto.DoctorSummary Map(DoctorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var summary = new Proto.DoctorSummary { CheckedAt = Timestamp.FromDateTimeOffset(report.CheckedAt) };
        summary.Findings.Add(report.Findings.Select(f => new Proto.DoctorFinding { Check = f.Check, Status = Map(f.Status), Evidence = f.Evidence, Fix = f.Fix }));
        summary.Certificates.Add(report.Certificates.Select(c => new Proto.CertificateDate
        {
            Path = c.Path,
            Subject = c.Subject,
            NotAfter = Timestamp.FromDateTimeOffset(c.NotAfter),
            Status = Map(c.Status),
        }));
        return summary;
    }

    public static Proto.DoctorStatus Map(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => Proto.DoctorStatus.Ok,
        DoctorStatus.NotApplicable => Proto.DoctorStatus.NotApplicable,
        DoctorStatus.Skipped => Proto.DoctorStatus.Skipped,
        DoctorStatus.Warn => Proto.DoctorStatus.Warn,
        _ => Proto.DoctorStatus.Fail,
    };
}
