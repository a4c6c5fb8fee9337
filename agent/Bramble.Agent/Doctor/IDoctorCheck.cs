namespace Bramble.Agent.Doctor;

/// <summary>
/// One preflight check: reads what it needs through the context (files under ProcRoot, SysRoot and HostRoot, never a
/// path on NFS) and returns at least one finding. A check that throws is reported as a warning, the others go on.
/// </summary>
public interface IDoctorCheck
{
    /// <summary>Stable id, kebab-case: the runbook's file name and the JSON "check".</summary>
    string Name { get; }

    IReadOnlyList<DoctorFinding> Run(DoctorContext context);
}
