using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Bramble.Agent.Probes.Storage;
using Bramble.Agent.Tests.Nfs;

namespace Bramble.Agent.Tests.Storage;

/// <summary>Hands out fake children; by default each finishes at once with a fast, good result.</summary>
internal sealed class FakeStateStorageChildLauncher : IStateStorageChildLauncher
{
    /// <summary>What a new child does on start; null leaves it running (a hang).</summary>
    public Func<ProbeChildResult?>? OnStart { get; set; } = () => FakeProbeChild.Steps(("create", 1), ("write", 1), ("fsync", 12), ("remove", 1));

    public List<FakeProbeChild> Started { get; } = [];

    /// <summary>False: new children are still starting until the test calls <see cref="FakeProbeChild.SignalStart"/>.</summary>
    public bool StartsAtOnce { get; set; } = true;

    public IProbeChild Start(string directory)
    {
        var child = new FakeProbeChild(3000 + Started.Count, directory, StartsAtOnce);
        Started.Add(child);
        if (OnStart?.Invoke() is { } result)
        {
            child.Finish(result);
        }

        return child;
    }
}
