using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>Hands out fake children; by default each finishes at once with a fast, good result.</summary>
internal sealed class FakeProbeChildLauncher : INfsProbeChildLauncher
{
    private readonly List<FakeProbeChild> _started = [];

    /// <summary>What a new child does on start; null leaves it running (a hang).</summary>
    public Func<string, ProbeChildResult?>? OnStart { get; set; } = _ => FakeProbeChild.Steps(("create", 1), ("write", 1), ("fsync", 2), ("read", 1), ("stat", 1), ("remove", 1));

    public IReadOnlyList<FakeProbeChild> Started => _started;

    /// <summary>False: new mount-probe children are still starting until the test calls <see cref="FakeProbeChild.SignalStart"/>.</summary>
    public bool StartsAtOnce { get; set; } = true;

    /// <summary>What a copy child (the mountstats reader) copies, by source path; null leaves it running (blocked).</summary>
    public Func<string, string?> CopySource { get; set; } = _ => string.Empty;

    public List<FakeProbeChild> Copies { get; } = [];

    public IProbeChild StartCopy(string sourcePath)
    {
        var child = new FakeProbeChild(5000 + Copies.Count, sourcePath);
        Copies.Add(child);
        if (CopySource(sourcePath) is { } text)
        {
            child.Finish(null, text: text);
        }

        return child;
    }

    /// <summary>The paths of every stat-only child started (pod volumes), in order.</summary>
    public List<string> StatOnly { get; } = [];

    public IProbeChild StartStatOnly(string path)
    {
        StatOnly.Add(path);
        return Start(path, string.Empty);
    }

    public IProbeChild Start(string mountPoint, string probeDirectory)
    {
        var child = new FakeProbeChild(1000 + _started.Count, mountPoint, StartsAtOnce);
        _started.Add(child);
        if (OnStart?.Invoke(mountPoint) is { } result)
        {
            child.Finish(result);
        }

        return child;
    }
}
