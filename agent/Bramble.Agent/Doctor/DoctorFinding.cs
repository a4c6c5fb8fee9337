namespace Bramble.Agent.Doctor;

/// <summary>One verdict of one check: what was seen (evidence) and, unless ok, what to do about it.</summary>
public sealed record DoctorFinding(string Check, DoctorStatus Status, string Evidence, string Fix = "")
{
    /// <summary>The runbook of the check, relative to the repository (and to wherever docs/runbooks/ is hosted).</summary>
    public string Runbook => $"docs/runbooks/{Check}.md";
}
