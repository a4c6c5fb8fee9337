namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// Reads mountstats through a child process under a deadline, because reading it can block while an NFS client is
/// hung (a public post-mortem found node_exporter stuck in D state on exactly this). At most one reader child is in
/// flight; while it is stuck, the last good copy is used and the problem is said. Not thread-safe (one probe run at a time).
/// </summary>
public sealed class MountStatsReader : IDisposable
{
    private readonly INfsProbeChildLauncher _launcher;
    private readonly TimeProvider _time;
    private INfsProbeChild? _child;
    private long _startedAt;
    private string? _lastGood;
    private bool _killed;

    public MountStatsReader(INfsProbeChildLauncher launcher, TimeProvider time)
    {
        _launcher = launcher;
        _time = time;
    }

    /// <summary>The file's text (fresh, or the last good copy while a read is stuck) and, when not fresh, why.</summary>
    public async Task<(string? Text, string? Problem)> ReadAsync(string path, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (_child is null)
        {
            try
            {
                _child = _launcher.StartCopy(path);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                return (_lastGood, $"cannot start the mountstats reader: {e.Message}");
            }

            _startedAt = _time.GetTimestamp();
            _killed = false;
        }

        var remaining = deadline - _time.GetElapsedTime(_startedAt);
        if (remaining > TimeSpan.Zero && !_child.Exited.IsCompleted)
        {
            try
            {
                await _child.Exited.WaitAsync(remaining, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Still blocked in the kernel: handled below; the child is left to finish on its own.
            }
        }

        if (!_child.Exited.IsCompleted)
        {
            if (!_killed)
            {
                // Dies once the kernel lets it go; until then it is the one reader in flight.
                _child.Kill();
                _killed = true;
            }

            var stuck = _time.GetElapsedTime(_startedAt).TotalSeconds;
            return (_lastGood, $"reading mountstats has been blocked for {stuck:0.0} s (a hung NFS client); counters are from the last good read");
        }

        var text = _killed ? null : _child.ReadText();
        var exitCode = _child.ExitCode;
        _child.Dispose();
        _child = null;
        if (text is null)
        {
            return (_lastGood, $"the mountstats reader exited with code {exitCode} and no copy");
        }

        _lastGood = text;
        return (text, null);
    }

    public void Dispose()
    {
        if (_child is { Exited.IsCompleted: false })
        {
            _child.Kill();
        }

        _child?.Dispose();
        _child = null;
    }
}
