namespace Bramble.Agent.Doctor.RootSquash;

/// <summary>
/// What the isolated child saw on one NFS mount when it created a file as root: the file's owner, or the step that
/// failed with its errno, or that the mount did not answer by the deadline, or why no child ran at all.
/// </summary>
/// <param name="OwnerUid">The owner of the file created as root; null unless the child got that far.</param>
/// <param name="FailedStep">"create", "stat" or "remove"; null when none failed.</param>
/// <param name="Stuck">How long the child had been at work when the deadline passed; null when it finished.</param>
/// <param name="NotRun">Why no child got to the mount (could not start, or did not start in time); null when one did.</param>
public sealed record RootSquashProbeResult(
    uint? OwnerUid = null,
    string? FailedStep = null,
    int Errno = 0,
    string? Error = null,
    TimeSpan? Stuck = null,
    TimeSpan Deadline = default,
    string? NotRun = null);
