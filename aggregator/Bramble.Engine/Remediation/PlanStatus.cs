namespace Bramble.Engine.Remediation;

/// <summary>Where a plan is: waiting, running, being verified, or finished.</summary>
public enum PlanStatus
{
    AwaitingApproval,
    Approved,
    Dispatched,
    Verifying,
    Finished,
}
