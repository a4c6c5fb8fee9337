namespace Bramble.Agent.Probes.Isolation;

/// <summary>
/// How a probe child tells the agent that its start-up is over: an empty file beside its result file, created just
/// before its first call on the probed path. A file in the agent's own temp directory, not a pipe: a child stuck in
/// the kernel must hold nothing the agent reads.
/// </summary>
public static class ProbeChildStartSignal
{
    public const string Suffix = ".started";

    /// <summary>The marker file for a child writing <paramref name="resultFile"/>.</summary>
    public static string MarkerFor(string resultFile) => resultFile + Suffix;

    /// <summary>Child side: say "started". A failure to say so is not the probe's failure; the agent then sees a slow start.</summary>
    public static void Announce(string resultFile)
    {
        try
        {
            File.WriteAllBytes(MarkerFor(resultFile), []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing to do: the agent's start-up limit reports it.
        }
    }
}
