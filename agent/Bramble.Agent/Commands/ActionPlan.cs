namespace Bramble.Agent.Commands;

/// <summary>
/// An action checked against the allow-list: either refused with the reason, or ready, saying what it will run
/// (the dry-run answer) and how.
/// </summary>
public sealed class ActionPlan
{
    private ActionPlan(string? refusal, string description, Func<CancellationToken, Task<ActionOutcome>>? run)
    {
        Refusal = refusal;
        Description = description;
        Run = run;
    }

    public string? Refusal { get; }

    /// <summary>What it runs, e.g. "systemctl restart kubelet.service".</summary>
    public string Description { get; }

    /// <summary>Runs the action; the token is cancelled at the command's deadline.</summary>
    public Func<CancellationToken, Task<ActionOutcome>>? Run { get; }

    public static ActionPlan Refused(string reason) => new(reason, string.Empty, null);

    public static ActionPlan Ready(string description, Func<CancellationToken, Task<ActionOutcome>> run) => new(null, description, run);
}
