using System.Text.Json;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>The child's probe steps against a local directory (the FUSE lab tests them on a misbehaving mount).</summary>
public sealed class NfsProbeChildProgramTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bt-nfs-child-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Probe_WritableDirectory_RunsEveryStepAndLeavesNoFile()
    {
        var result = NfsProbeChildProgram.Probe(_root, ".bramble-probe");

        Assert.Null(result.FailedStep);
        Assert.Equal(["create", "write", "fsync", "read", "stat", "remove"], result.StepMilliseconds.Keys);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, ".bramble-probe")));
    }

    [Fact]
    public void Probe_MissingMountPoint_IsEnoentAndCreatesNothing()
    {
        var missing = Path.Combine(_root, "not-mounted");

        var result = NfsProbeChildProgram.Probe(missing, ".bramble-probe");

        Assert.Equal(("create", Errno.NoEntry), (result.FailedStep, result.Errno));
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void RootOwner_LocalDirectory_RecordsTheCreatorsUidAndLeavesNoFile()
    {
        var result = NfsProbeChildProgram.RootOwner(_root, ".bramble-probe");

        Assert.Null(result.FailedStep);
        Assert.Equal(["create", "stat", "remove"], result.StepMilliseconds.Keys);
        // A local file system squashes no one: the file belongs to whoever this test runs as.
        Assert.Equal(FileOwner.UidOf(_root), result.OwnerUid);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, ".bramble-probe")));
    }

    [Fact]
    public void RootOwner_MissingMountPoint_IsEnoentWithNoOwner()
    {
        var result = NfsProbeChildProgram.RootOwner(Path.Combine(_root, "not-mounted"), ".bramble-probe");

        Assert.Equal(("create", Errno.NoEntry), (result.FailedStep, result.Errno));
        Assert.Null(result.OwnerUid);
    }

    [Fact]
    public void FileOwner_RootsOwnFile_IsZeroAndAMissingFileIsEnoent()
    {
        Assert.Equal(0u, FileOwner.UidOf("/"));
        Assert.Equal(Errno.NoEntry, Assert.Throws<IOException>(() => FileOwner.UidOf(Path.Combine(_root, "missing"))).HResult);
    }

    [Fact]
    public void Run_WritesTheResultFileAsJson()
    {
        var resultFile = Path.Combine(_root, "result.json");

        var exit = NfsProbeChildProgram.Run(
            [NfsProbeChildProgram.PathFlag, _root, NfsProbeChildProgram.DirectoryFlag, "p", NfsProbeChildProgram.ResultFileFlag, resultFile]);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(File.ReadAllText(resultFile));
        Assert.Equal(6, json.RootElement.GetProperty("StepMilliseconds").EnumerateObject().Count());
        Assert.False(File.Exists(resultFile + ".tmp"));
    }

    [Fact]
    public void Run_MissingArguments_ExitsWithUsageCode()
    {
        Assert.Equal(2, NfsProbeChildProgram.Run([NfsProbeChildProgram.PathFlag, _root]));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(116)]
    public void FromException_PlainIOException_CarriesTheErrno(int errno)
    {
        Assert.Equal(errno, Errno.FromException(new IOException("x", errno)));
    }

    [Fact]
    public void FromException_TypedExceptions_MapToTheirErrno()
    {
        Assert.Equal(2, Errno.FromException(new FileNotFoundException()));
        Assert.Equal(13, Errno.FromException(new UnauthorizedAccessException()));
        Assert.Equal(0, Errno.FromException(new IOException("no errno")));
    }
}
