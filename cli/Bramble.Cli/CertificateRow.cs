namespace Bramble.Cli;

/// <summary>One certificate of a node's calendar.</summary>
public sealed record CertificateRow(string Path, string Subject, DateTimeOffset NotAfter, int DaysLeft, string Status);
