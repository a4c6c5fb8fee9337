namespace Bramble.Engine.Remediation;

/// <summary>What an agent reported for a command (the engine's copy of the contract's CommandOutcome).</summary>
public enum CommandOutcomeKind
{
    Succeeded,
    Failed,
    TimedOut,
    Rejected,
    DryRun,
}
