using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>A probe child whose exit and result the test decides; records kills.</summary>
internal sealed class FakeProbeChild : IProbeChild
{
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProbeChildResult? _result;
    private string? _text;

    /// <param name="startsAtOnce">False: the child is still starting (a cold .NET start on a loaded Pi) until <see cref="SignalStart"/>.</param>
    public FakeProbeChild(int pid, string mountPoint, bool startsAtOnce = true)
    {
        Pid = pid;
        MountPoint = mountPoint;
        if (startsAtOnce)
        {
            _started.TrySetResult(true);
        }
    }

    public int Pid { get; }

    public string MountPoint { get; }

    public Task<bool> Started => _started.Task;

    public Task Exited => _exited.Task;

    public int ExitCode { get; private set; } = -1;

    public int Kills { get; private set; }

    public bool Disposed { get; private set; }

    public void Finish(ProbeChildResult? result, int exitCode = 0, string? text = null)
    {
        _result = result;
        _text = text;
        ExitCode = exitCode;
        _started.TrySetResult(false);
        _exited.TrySetResult();
    }

    /// <summary>The child says its start-up is over and it is about to touch its path.</summary>
    public void SignalStart() => _started.TrySetResult(true);

    public void Kill() => Kills++;

    public ProbeChildResult? ReadResult() => _result;

    public string? ReadText() => _text;

    public void Dispose() => Disposed = true;

    public static ProbeChildResult Steps(params (string Step, double Milliseconds)[] steps)
    {
        var result = new ProbeChildResult();
        foreach (var (step, ms) in steps)
        {
            result.StepMilliseconds[step] = ms;
        }

        return result;
    }
}
