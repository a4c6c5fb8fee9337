using Bramble.Agent.Commands;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Commands;

/// <summary>The command journal on a real file in a temporary directory.</summary>
public sealed class CommandJournalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void SaveThenLoad_ByAnotherInstance_ReturnsTheIdsInOrderWithTheirResults()
    {
        var result = new CommandResult
        {
            Id = "a",
            Outcome = CommandOutcome.Succeeded,
            Detail = "ran: systemctl restart kubelet.service",
            ExitCode = 0,
            StderrTail = "restarted",
            StartedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero)),
            Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500)),
        };
        Journal(_directory.Path).Save([new RememberedCommand("a", result), new RememberedCommand("b", null)]);

        var loaded = Journal(_directory.Path).Load();

        Assert.Equal([new RememberedCommand("a", result), new RememberedCommand("b", null)], loaded);
        Assert.Equal([CommandJournal.FileName], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_CreatesTheMissingDirectory_ReadableOnlyByTheAgent()
    {
        var directory = Path.Combine(_directory.Path, "state");

        Journal(directory).Save([new RememberedCommand("a", null)]);

        Assert.True(File.Exists(Path.Combine(directory, CommandJournal.FileName)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        }
    }

    [Fact]
    public void Load_NoFileOrAGarbledOne_IsEmpty_NotAnError()
    {
        Assert.Empty(Journal(_directory.Path).Load());
        File.WriteAllText(Path.Combine(_directory.Path, CommandJournal.FileName), "{\"commands\": [ {\"id\": ");

        Assert.Empty(Journal(_directory.Path).Load());
    }

    [Fact]
    public void NothingAllowListed_NoJournal_NothingWritten()
    {
        var directory = Path.Combine(_directory.Path, "state");
        var journal = new CommandJournal(Options.Create(new RemediationOptions { StateDirectory = directory }), NullLogger<CommandJournal>.Instance);

        journal.Save([new RememberedCommand("a", null)]);

        Assert.Null(journal.Directory);
        Assert.False(Directory.Exists(directory));
    }

    [Theory]
    [InlineData("/etc/bramble-state", null, "/etc/bramble-state")]
    [InlineData("", "/var/lib/bramble-agent-x:/var/lib/other", "/var/lib/bramble-agent-x")]
    [InlineData("", null, RemediationOptions.DefaultStateDirectory)]
    public void ResolveDirectory_ConfiguredThenSystemdThenDefault(string configured, string? systemd, string expected) =>
        Assert.Equal(expected, CommandJournal.ResolveDirectory(configured, systemd));

    private static CommandJournal Journal(string directory) =>
        new(Options.Create(new RemediationOptions { Reboot = true, StateDirectory = directory }), NullLogger<CommandJournal>.Instance);
}
