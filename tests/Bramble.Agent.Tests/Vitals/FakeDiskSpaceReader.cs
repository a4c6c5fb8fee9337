using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Tests.Vitals;

/// <summary>Answers a fixed space for "/" (null: "cannot tell") and records the paths asked for.</summary>
internal sealed class FakeDiskSpaceReader(DiskSpace? root) : IDiskSpaceReader
{
    public List<string> Asked { get; } = [];

    public DiskSpace? Read(string path)
    {
        Asked.Add(path);
        return path == "/" ? root : null;
    }
}
