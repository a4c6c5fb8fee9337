using System.Text.Json;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Bramble.Agent.Probes.Storage;

namespace Bramble.Agent.Tests.Storage;

/// <summary>The child's steps on a real local directory (the FUSE lab makes them hang and fail in the integration tests).</summary>
public sealed class StateStorageChildProgramTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bt-state-child-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Probe_WritableDirectory_CreatesWritesFsyncsRemovesAndLeavesNothing()
    {
        var result = StateStorageChildProgram.Probe(_root);

        Assert.Null(result.FailedStep);
        Assert.Equal(["create", "write", "fsync", "remove"], result.StepMilliseconds.Keys);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public void Probe_MissingDirectory_IsEnoentAtCreateAndCreatesNothing()
    {
        var missing = Path.Combine(_root, "rancher");

        var result = StateStorageChildProgram.Probe(missing);

        Assert.Equal(("create", Errno.NoEntry), (result.FailedStep, result.Errno));
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void Run_WritesTheResultFileAsJson()
    {
        var resultFile = Path.Combine(_root, "result.json");
        var state = Directory.CreateDirectory(Path.Combine(_root, "state")).FullName;

        var exit = StateStorageChildProgram.Run([StateStorageChildProgram.PathFlag, state, StateStorageChildProgram.ResultFileFlag, resultFile]);

        Assert.Equal(0, exit);
        var result = JsonSerializer.Deserialize<ProbeChildResult>(File.ReadAllText(resultFile))!;
        Assert.Equal(4, result.StepMilliseconds.Count);
        Assert.True(StateStorageChildProgram.IsProbeMode([StateStorageChildProgram.PathFlag, state]));
        Assert.False(StateStorageChildProgram.IsProbeMode(["--once"]));
    }

    [Fact]
    public void Run_WithoutResultFile_IsUsageError()
    {
        Assert.Equal(2, StateStorageChildProgram.Run([StateStorageChildProgram.PathFlag, _root]));
    }
}
