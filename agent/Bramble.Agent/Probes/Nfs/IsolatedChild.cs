namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// At most one child process for one job (probing a mount, reading mountstats), under a deadline. A child still running
/// at its deadline is killed once (SIGKILL) but never waited for — stuck in the kernel, it stays until the file system
/// answers — and no new child starts until it is gone, so children never pile up. Whatever such a child leaves is stale.
/// Not thread-safe: one run at a time.
/// </summary>
public sealed class IsolatedChild : IDisposable
{
    private readonly TimeProvider _time;
    private INfsProbeChild? _child;
    private long _startedAt;
    private bool _killed;

    public IsolatedChild(TimeProvider time) => _time = time;

    /// <summary>True while a child (running, or killed but not yet gone) exists.</summary>
    public bool HasChild => _child is not null;

    /// <summary>Called when a child killed at its deadline is finally gone: its pid and how long it was stuck.</summary>
    public Action<int, TimeSpan>? StuckChildGone { get; init; }

    /// <summary>Called once when a child is killed at its deadline: its pid.</summary>
    public Action<int>? KilledAtDeadline { get; init; }

    /// <summary>
    /// Starts a child when none exists, waits for it until the deadline (counted from its start) and hands a finished
    /// one to <paramref name="finished"/>; a child still running is the <see cref="ChildRun.Stuck"/> outcome.
    /// </summary>
    public async Task<ChildRun<T>> RunAsync<T>(Func<INfsProbeChild> start, TimeSpan deadline, Func<INfsProbeChild, T> finished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(finished);
        if (_child is { Exited.IsCompleted: true } && _killed)
        {
            StuckChildGone?.Invoke(_child.Pid, _time.GetElapsedTime(_startedAt));
            Release();
        }

        if (_child is null)
        {
            try
            {
                _child = start();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                return new ChildRun<T>(default, null, 0, e.Message);
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
                // Past the deadline: handled below.
            }
        }

        if (!_child.Exited.IsCompleted)
        {
            if (!_killed)
            {
                KilledAtDeadline?.Invoke(_child.Pid);
                _child.Kill();
                _killed = true;
            }

            return new ChildRun<T>(default, _time.GetElapsedTime(_startedAt), _child.Pid, null);
        }

        var result = finished(_child);
        Release();
        return new ChildRun<T>(result, null, 0, null);
    }

    /// <summary>Kills a child still in flight (on agent shutdown) without waiting for it.</summary>
    public void Dispose()
    {
        if (_child is { Exited.IsCompleted: false })
        {
            _child.Kill();
        }

        Release();
    }

    private void Release()
    {
        _child?.Dispose();
        _child = null;
        _killed = false;
    }
}
