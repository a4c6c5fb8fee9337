using Bramble.Agent.Probing;
using Bramble.Protos.V1;

namespace Bramble.Agent.Tests;

/// <summary>A probe whose behaviour a test chooses; counts its invocations.</summary>
internal sealed class FakeProbe : IProbe
{
    private readonly Func<CancellationToken, Task<ProbeResult>> _run;
    private int _invocations;

    public FakeProbe(string name, Func<CancellationToken, Task<ProbeResult>> run, TimeSpan? timeout = null)
    {
        Name = name;
        _run = run;
        Timeout = timeout;
    }

    public string Name { get; }

    public Capability Capability => Capability.ProbeVitals;

    public TimeSpan? Timeout { get; }

    public int Invocations => Volatile.Read(ref _invocations);

    public CancellationToken LastToken { get; private set; }

    public Task<ProbeResult>? LastTask { get; private set; }

    public static FakeProbe Ok(string name, string fingerprint = "ok") =>
        new(name, _ => Task.FromResult(ProbeResult.Ok(_ => { }, fingerprint)));

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _invocations);
        LastToken = cancellationToken;
        LastTask = _run(cancellationToken);
        return LastTask;
    }
}
