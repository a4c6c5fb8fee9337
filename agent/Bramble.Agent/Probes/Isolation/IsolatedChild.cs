using System.Globalization;

namespace Bramble.Agent.Probes.Isolation;

/// <summary>
/// At most one child process for one job (probing a mount, reading mountstats, an fsync), under a deadline. The
/// deadline counts from the child's start signal, so its own start-up (0.3–3 s for a cold .NET process on a loaded Pi)
/// is never read as a hung mount; the start-up has its own, generous limit, whose breach is an error, not a hang.
/// A child still running at its deadline is killed once (SIGKILL) but never waited for — stuck in the kernel, it stays
/// until the file system answers — and no new child starts until it is gone, so children never pile up. Whatever such
/// a child leaves is stale. Not thread-safe: one run at a time.
/// </summary>
public sealed class IsolatedChild : IDisposable
{
    private readonly TimeProvider _time;
    private IProbeChild? _child;
    private long _spawnedAt;
    private long? _workingSince;
    private bool _killed;

    public IsolatedChild(TimeProvider time) => _time = time;

    /// <summary>True while a child (running, or killed but not yet gone) exists.</summary>
    public bool HasChild => _child is not null;

    /// <summary>Called when a child killed at its deadline is finally gone: its pid and how long it was stuck.</summary>
    public Action<int, TimeSpan>? StuckChildGone { get; init; }

    /// <summary>Called once when a child is killed at its deadline: its pid.</summary>
    public Action<int>? KilledAtDeadline { get; init; }

    /// <summary>
    /// Starts a child when none exists, waits up to <paramref name="startLimit"/> (from its spawn) for its start signal,
    /// then up to <paramref name="deadline"/> (from that signal) for its exit, and hands a finished one to
    /// <paramref name="finished"/>. A child still at work is the <see cref="ChildRun{T}.Stuck"/> outcome; one that never
    /// signalled is killed and is a <see cref="ChildRun{T}.StartError"/>.
    /// </summary>
    public async Task<ChildRun<T>> RunAsync<T>(
        Func<IProbeChild> start, TimeSpan startLimit, TimeSpan deadline, Func<IProbeChild, T> finished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(finished);
        if (_child is { Exited.IsCompleted: true } && _killed)
        {
            // A child killed before it started touched nothing: its end is no news.
            if (_workingSince is { } since)
            {
                StuckChildGone?.Invoke(_child.Pid, _time.GetElapsedTime(since));
            }

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

            _spawnedAt = _time.GetTimestamp();
            _workingSince = null;
            _killed = false;
        }

        if (_workingSince is null && !_child.Exited.IsCompleted)
        {
            if (!await WaitForStartAsync(_child, startLimit, cancellationToken))
            {
                if (!_killed)
                {
                    _child.Kill();
                    _killed = true;
                }

                return new ChildRun<T>(default, null, _child.Pid, string.Create(
                    CultureInfo.InvariantCulture,
                    $"probe child (pid {_child.Pid}) did not start within {startLimit.TotalSeconds:0.###} s (a loaded or swapping machine); killed"));
            }

            _workingSince = _time.GetTimestamp();
        }

        var remaining = _workingSince is { } working ? deadline - _time.GetElapsedTime(working) : TimeSpan.Zero;
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

            return new ChildRun<T>(default, _time.GetElapsedTime(_workingSince ?? _spawnedAt), _child.Pid, null);
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

    // True once the child signalled (or is gone, which the caller judges from its result); false at the start limit.
    private async Task<bool> WaitForStartAsync(IProbeChild child, TimeSpan startLimit, CancellationToken cancellationToken)
    {
        var remaining = startLimit - _time.GetElapsedTime(_spawnedAt);
        if (remaining > TimeSpan.Zero && !child.Started.IsCompleted && !child.Exited.IsCompleted)
        {
            try
            {
                await Task.WhenAny(child.Started, child.Exited).WaitAsync(remaining, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Past the start limit: handled below.
            }
        }

        return child.Started is { IsCompletedSuccessfully: true, Result: true } || child.Exited.IsCompleted;
    }

    private void Release()
    {
        _child?.Dispose();
        _child = null;
        _workingSince = null;
        _killed = false;
    }
}
