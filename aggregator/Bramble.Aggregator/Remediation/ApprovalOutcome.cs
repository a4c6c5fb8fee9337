namespace Bramble.Aggregator.Remediation;

/// <summary>What an approve or reject request came to.</summary>
public enum ApprovalOutcome
{
    Done,
    NotFound,
    NotAwaitingApproval,
}
