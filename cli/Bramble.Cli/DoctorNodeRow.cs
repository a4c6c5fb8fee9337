namespace Bramble.Cli;

/// <summary>One node of /api/v1/doctor.</summary>
public sealed record DoctorNodeRow(string Node, DateTimeOffset CheckedAt, DoctorFindingRow[] Findings, CertificateRow[] Certificates);
