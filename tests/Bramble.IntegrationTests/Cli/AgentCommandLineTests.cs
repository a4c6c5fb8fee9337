using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Cli;

/// <summary>The agent's first-use commands: --once (one report as JSON) and --version.</summary>
public sealed class AgentCommandLineTests
{
    [Fact]
    public async Task Once_PrintsOneReportAsJson_FromTheConfiguredProcRoot()
    {
        using var procRoot = new FixtureProcRoot("11111111-2222-4333-8444-555555555555");
        File.WriteAllText(Path.Combine(procRoot.Path, "loadavg"), "0.52 0.58 0.59 1/345 6789\n");

        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=once-node", $"--Agent:ProcRoot={procRoot.Path}"]);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(agent.Output);
        var report = json.RootElement;
        Assert.Equal("once-node", report.GetProperty("nodeName").GetString());
        Assert.Equal("PROBE_STATUS_OK", report.GetProperty("probes")[0].GetProperty("status").GetString());
        Assert.Equal(0.52, report.GetProperty("vitals").GetProperty("load1").GetDouble());
    }

    [Fact]
    public async Task Once_WithAProcRootMissingItsFiles_ReportsTheProbeErrorInsteadOfFailing()
    {
        using var empty = new TempDirectory();
        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=bare-node", $"--Agent:ProcRoot={empty.Path}"]);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        var jsonStart = agent.Output.IndexOf('{', StringComparison.Ordinal);
        using var json = JsonDocument.Parse(agent.Output[jsonStart..]);
        var probe = json.RootElement.GetProperty("probes")[0];
        Assert.Equal("PROBE_STATUS_ERROR", probe.GetProperty("status").GetString());
        Assert.Contains(empty.Path, probe.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_WithoutNfsMounts_SaysSoPlainly()
    {
        using var procRoot = new FixtureProcRoot("11111111-2222-4333-8444-555555555555");
        Directory.CreateDirectory(Path.Combine(procRoot.Path, "self"));
        File.WriteAllText(Path.Combine(procRoot.Path, "self", "mountinfo"), "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw\n");

        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=no-nfs-node", $"--Agent:ProcRoot={procRoot.Path}"]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        using var json = JsonDocument.Parse(agent.Output[agent.Output.IndexOf('{', StringComparison.Ordinal)..]);
        var nfs = json.RootElement.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == "nfs");
        Assert.Equal("PROBE_STATUS_NOTHING_TO_PROBE", nfs.GetProperty("status").GetString());
        Assert.Equal($"no NFS mounts in {procRoot.Path}/self/mountinfo", nfs.GetProperty("detail").GetString());
        Assert.False(json.RootElement.TryGetProperty("nfsMounts", out _));
    }

    [Fact]
    public async Task Version_PrintsTheProgramAndItsVersion()
    {
        using var agent = ManagedProcess.StartDotnet("agent --version", RepoLayout.AgentDll, ["--version"]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches(@"^bramble-agent \d+\.\d+\.\d+$", agent.Output.Trim());

        using var aggregator = ManagedProcess.StartDotnet("aggregator --version", RepoLayout.AggregatorDll, ["--version"]);
        Assert.Equal(0, await aggregator.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches(@"^bramble-aggregator \d+\.\d+\.\d+$", aggregator.Output.Trim());
    }
}
