using System.Text.Json;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>The child's read-only check of pod volumes against local paths (the FUSE lab runs it on a stale mount).</summary>
public sealed class NfsProbeChildStatOnlyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bt-nfs-stat-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void StatOnly_Directory_StatsAndListsAndWritesNothing()
    {
        File.WriteAllText(Path.Combine(_root, "data"), "x");

        var result = NfsProbeChildProgram.StatOnly(_root);

        Assert.Null(result.FailedStep);
        Assert.Equal(["stat", "list"], result.StepMilliseconds.Keys);
        Assert.Equal(["data"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
    }

    [Fact]
    public void StatOnly_FileSubpath_IsOnlyStated()
    {
        var file = Path.Combine(_root, "config.yaml");
        File.WriteAllText(file, "a: 1");

        var result = NfsProbeChildProgram.StatOnly(file);

        Assert.Null(result.FailedStep);
        Assert.Equal(["stat"], result.StepMilliseconds.Keys);
    }

    [Fact]
    public void StatOnly_Missing_IsEnoentAtStat()
    {
        var result = NfsProbeChildProgram.StatOnly(Path.Combine(_root, "gone"));

        Assert.Equal(("stat", Errno.NoEntry), (result.FailedStep, result.Errno));
    }

    [Fact]
    public void Run_StatOnlyFlag_NeedsNoProbeDirectoryAndWritesTheResult()
    {
        var resultFile = Path.Combine(_root, "result.json");

        var exit = NfsProbeChildProgram.Run([NfsProbeChildProgram.PathFlag, _root, NfsProbeChildProgram.StatOnlyFlag, NfsProbeChildProgram.ResultFileFlag, resultFile]);

        Assert.Equal(0, exit);
        var result = JsonSerializer.Deserialize<ProbeChildResult>(File.ReadAllText(resultFile))!;
        Assert.Equal(["stat", "list"], result.StepMilliseconds.Keys);
        Assert.False(Directory.Exists(Path.Combine(_root, ".bramble-probe")));
    }
}
