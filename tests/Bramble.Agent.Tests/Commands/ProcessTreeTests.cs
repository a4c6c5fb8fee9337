using System.Diagnostics;
using Bramble.Agent.Commands;

namespace Bramble.Agent.Tests.Commands;

/// <summary>The process tree read from the real /proc, on a real shell with a child.</summary>
public sealed class ProcessTreeTests
{
    [Fact]
    public async Task Snapshot_FindsTheChildren_AndIsAliveFollowsTheirDeath()
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", "sleep 60 & echo $! >&2; sleep 60" })
        {
            info.ArgumentList.Add(argument);
        }

        using var shell = Process.Start(info)!;
        try
        {
            var child = int.Parse(await shell.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            IReadOnlyList<ProcessIdentity> tree = [];
            for (var i = 0; i < 100 && tree.Count < 3; i++)
            {
                tree = ProcessTree.Snapshot(shell.Id);
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            Assert.Equal(shell.Id, tree[0].Pid);
            Assert.Equal(3, tree.Count);
            Assert.Contains(tree, p => p.Pid == child);
            Assert.All(tree, p => Assert.True(ProcessTree.IsAlive(p)));

            shell.Kill(entireProcessTree: true);
            for (var i = 0; i < 100 && tree.Any(ProcessTree.IsAlive); i++)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Assert.DoesNotContain(tree, ProcessTree.IsAlive);
        }
        finally
        {
            if (!shell.HasExited)
            {
                shell.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void IsAlive_SamePidAnotherStart_IsNotThatProcess()
    {
        var self = ProcessTree.Snapshot(Environment.ProcessId)[0];

        Assert.True(ProcessTree.IsAlive(self));
        Assert.False(ProcessTree.IsAlive(self with { StartTicks = self.StartTicks + 1 }));
        Assert.Empty(ProcessTree.Snapshot(int.MaxValue));
    }
}
