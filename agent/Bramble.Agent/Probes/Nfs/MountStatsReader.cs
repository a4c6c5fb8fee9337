using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// Reads mountstats through a child process under a deadline, because reading it can block while an NFS client is
/// hung (a public post-mortem found node_exporter stuck in D state on exactly this). At most one reader child is in
/// flight; while it is stuck, the last good copy is used and the problem is said. Not thread-safe (one probe run at a time).
/// </summary>
public sealed class MountStatsReader : IDisposable
{
    private readonly INfsProbeChildLauncher _launcher;
    private readonly IsolatedChild _child;
    private string? _lastGood;

    public MountStatsReader(INfsProbeChildLauncher launcher, TimeProvider time)
    {
        _launcher = launcher;
        _child = new IsolatedChild(time);
    }

    /// <summary>The file's text (fresh, or the last good copy while a read is stuck) and, when not fresh, why.</summary>
    public async Task<(string? Text, string? Problem)> ReadAsync(string path, TimeSpan startLimit, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var run = await _child.RunAsync(() => _launcher.StartCopy(path), startLimit, deadline, child => (Text: child.ReadText(), child.ExitCode), cancellationToken);
        if (run.StartError is { } error)
        {
            return (_lastGood, run.Pid == 0 ? $"cannot start the mountstats reader: {error}" : $"mountstats reader: {error}");
        }

        if (run.Stuck is { } stuck)
        {
            return (_lastGood, $"reading mountstats has been blocked for {stuck.TotalSeconds:0.0} s (a hung NFS client); counters are from the last good read");
        }

        var (text, exitCode) = run.Result;
        if (text is null)
        {
            return (_lastGood, $"the mountstats reader exited with code {exitCode} and no copy");
        }

        _lastGood = text;
        return (text, null);
    }

    public void Dispose() => _child.Dispose();
}
