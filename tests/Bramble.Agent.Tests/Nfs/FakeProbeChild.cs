using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>A probe child whose exit and result the test decides; records kills.</summary>
internal sealed class FakeProbeChild : INfsProbeChild
{
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NfsProbeChildResult? _result;
    private string? _text;

    public FakeProbeChild(int pid, string mountPoint)
    {
        Pid = pid;
        MountPoint = mountPoint;
    }

    public int Pid { get; }

    public string MountPoint { get; }

    public Task Exited => _exited.Task;

    public int ExitCode { get; private set; } = -1;

    public int Kills { get; private set; }

    public bool Disposed { get; private set; }

    public void Finish(NfsProbeChildResult? result, int exitCode = 0, string? text = null)
    {
        _result = result;
        _text = text;
        ExitCode = exitCode;
        _exited.TrySetResult();
    }

    public void Kill() => Kills++;

    public NfsProbeChildResult? ReadResult() => _result;

    public string? ReadText() => _text;

    public void Dispose() => Disposed = true;

    public static NfsProbeChildResult Steps(params (string Step, double Milliseconds)[] steps)
    {
        var result = new NfsProbeChildResult();
        foreach (var (step, ms) in steps)
        {
            result.StepMilliseconds[step] = ms;
        }

        return result;
    }
}
