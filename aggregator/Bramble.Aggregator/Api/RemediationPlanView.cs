using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Api;

/// <summary>One remediation plan as the JSON API and the status page show it.</summary>
public sealed record RemediationPlanView(
    string Id,
    string Status,
    string IncidentId,
    string Kind,
    string Node,
    string Action,
    IReadOnlyDictionary<string, string> Arguments,
    int Step,
    bool DryRun,
    string Summary,
    DateTimeOffset PlannedAt,
    DateTimeOffset? DispatchedAt,
    DateTimeOffset? VerifyUntil,
    DateTimeOffset? FinishedAt,
    string? Outcome,
    string? DecidedBy)
{
    public static RemediationPlanView From(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new RemediationPlanView(plan.Id, StatusName(plan.Status), plan.IncidentId, plan.Kind, plan.Node, RemediationActions.Name(plan.Action),
            plan.Arguments, plan.Step + 1, plan.DryRun, plan.Summary, plan.PlannedAt, plan.DispatchedAt, plan.VerifyUntil, plan.FinishedAt,
            plan.Outcome, plan.DecidedBy);
    }

    public static string StatusName(PlanStatus status) => status switch
    {
        PlanStatus.AwaitingApproval => "awaiting_approval",
        PlanStatus.Approved => "approved",
        PlanStatus.Dispatched => "dispatched",
        PlanStatus.Verifying => "verifying",
        _ => "finished",
    };
}
