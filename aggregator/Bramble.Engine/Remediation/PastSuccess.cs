namespace Bramble.Engine.Remediation;

/// <summary>A verified success, kept for Remediation:ReappearanceWindow: if its incident returns, the step failed after all.</summary>
public sealed record PastSuccess(string PlanId, DateTimeOffset At, int Step, string Action);
