using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.QuickStart;

/// <summary>
/// The README's first quick-start command, run as written from a fresh clone: it builds, starts the aggregator
/// and an agent for this machine, prints the status page URL, the page lists this machine, and Ctrl-C stops both.
/// (The second command is the one CI runs, from a fresh clone, through .ci/run.)
/// </summary>
public sealed partial class QuickStartTests
{
    [Fact]
    public async Task ReadmeFirstCommand_FromAFreshClone_ServesAStatusPageListingThisMachine_AndStopsOnCtrlC()
    {
        var commands = ReadmeQuickStartCommands();
        Assert.Equal(2, commands.Count);
        Assert.Equal("./test.sh", commands[1]);

        using var clone = new TempDirectory();
        using (var git = ManagedProcess.Start("git clone", "git", ["clone", "--quiet", RepoLayout.Root, clone.Path]))
        {
            Assert.Equal(0, await git.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        }

        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        // setsid: the demo leads its own process group, so a Ctrl-C (SIGINT to the group) reaches it as in a terminal.
        using var demo = ManagedProcess.Start("demo", "setsid", ["bash", "-c", commands[0]], clone.Path, new Dictionary<string, string>
        {
            ["BRAMBLE_DEMO_HTTP_PORT"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BRAMBLE_DEMO_GRPC_PORT"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        var url = (await demo.WaitForLineAsync(StatusPageLine(), TimeSpan.FromMinutes(5))).Groups["url"].Value;
        Assert.Equal($"http://127.0.0.1:{httpPort}/", url);
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var page = await Eventually.WaitAsync(() => http.GetStringAsync(url),
            p => p.Contains(Environment.MachineName, StringComparison.Ordinal) && p.Contains("connected", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the status page listing this machine's agent");
        Assert.Contains("1 of 1 agents connected", page, StringComparison.Ordinal);
        // Let reports flow, so Ctrl-C lands on a running agent (start-up interruption is covered by the agent's own exit path).
        await demo.WaitForLineAsync(ConnectedLine(), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Signals.Send(-demo.Pid, Signals.Interrupt);
        await demo.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(url, TestContext.Current.CancellationToken));
        Assert.True(demo.Output.Contains("Stopped: boot", StringComparison.Ordinal), "the agent did not stop gracefully:\n" + demo.Output);
    }

    /// <summary>The lines of the first shell block under "## Quick start" in README.md.</summary>
    private static List<string> ReadmeQuickStartCommands()
    {
        var readme = File.ReadAllText(Path.Combine(RepoLayout.Root, "README.md"));
        var section = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        var block = QuickStartBlock().Match(section);
        Assert.True(block.Success, "README.md has no shell block under ## Quick start");
        return block.Groups["body"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)
            .ToList();
    }

    [GeneratedRegex("Connected to the aggregator")]
    private static partial Regex ConnectedLine();

    [GeneratedRegex(@"Status page: (?<url>http://\S+)")]
    private static partial Regex StatusPageLine();

    [GeneratedRegex("```(?:sh|bash)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();
}
