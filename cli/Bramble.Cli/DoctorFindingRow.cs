namespace Bramble.Cli;

/// <summary>One preflight finding ("ok", "warn", "fail", "not_applicable", "skipped").</summary>
public sealed record DoctorFindingRow(string Check, string Status, string Evidence, string Fix);
