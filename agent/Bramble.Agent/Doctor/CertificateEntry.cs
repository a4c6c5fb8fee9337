namespace Bramble.Agent.Doctor;

/// <summary>One certificate of the calendar: where it is (a file, or a kubeconfig and its key), whose it is and when it ends.</summary>
public sealed record CertificateEntry(string Path, string Subject, DateTimeOffset NotAfter, int DaysLeft, DoctorStatus Status);
