using System.Diagnostics;

namespace Bramble.Agent.Probes.Isolation;

/// <summary>
/// What a probe child writes to its result file (one JSON object): every step it finished with its duration, and the
/// step that failed with its errno. Durations are measured by the child, so its own start-up time (large on a Pi) is
/// not mistaken for a slow mount.
/// </summary>
public sealed class ProbeChildResult
{
    /// <summary>Step name → milliseconds, in the order the steps ran.</summary>
    public Dictionary<string, double> StepMilliseconds { get; set; } = [];

    /// <summary>The step that failed; null when all succeeded.</summary>
    public string? FailedStep { get; set; }

    /// <summary>errno of the failure (0 when unknown or none).</summary>
    public int Errno { get; set; }

    /// <summary>The failure's message, for the detail line.</summary>
    public string? Error { get; set; }

    /// <summary>The root-squash mode's finding: the uid the file created as root came out owned by; null otherwise.</summary>
    public uint? OwnerUid { get; set; }

    public double TotalMilliseconds => StepMilliseconds.Values.Sum();

    /// <summary>Records <paramref name="step"/> as finished after the time on <paramref name="watch"/>, and restarts it for the next.</summary>
    public void StepDone(string step, Stopwatch watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        StepMilliseconds[step] = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
    }

    /// <summary>Records <paramref name="step"/> as the one that failed, with the failure's errno and message.</summary>
    public void Fail(string step, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        FailedStep = step;
        Errno = Nfs.Errno.FromException(exception);
        Error = exception.Message;
    }
}
