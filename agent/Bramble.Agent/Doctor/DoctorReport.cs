namespace Bramble.Agent.Doctor;

/// <summary>What `bramble-agent doctor` found on one node: every check's findings and the certificate calendar.</summary>
public sealed record DoctorReport(string Node, DateTimeOffset CheckedAt, IReadOnlyList<DoctorFinding> Findings, IReadOnlyList<CertificateEntry> Certificates)
{
    /// <summary>1 when a check failed, else 0 (warnings, skipped and not applicable checks do not fail the run).</summary>
    public int ExitCode => Findings.Any(f => f.Status == DoctorStatus.Fail) ? 1 : 0;
}
