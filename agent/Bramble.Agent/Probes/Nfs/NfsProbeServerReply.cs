using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// One line the long-lived NFS probe child writes on its socket about one check: first "started" (just before it
/// touches the path; the deadline counts from here), then the outcome.
/// </summary>
/// <param name="Id">The request's <see cref="NfsProbeServerRequest.Id"/>.</param>
/// <param name="Started">True on the "started" line, false on the outcome line.</param>
/// <param name="Result">The probe's steps (probe and stat-only modes).</param>
/// <param name="Text">The copied file (copy mode); null when it could not be read.</param>
/// <param name="ExitCode">What a one-shot child would have exited with: 0, or 1 for a copy that failed.</param>
public sealed record NfsProbeServerReply(long Id, bool Started, ProbeChildResult? Result, string? Text, int ExitCode);
