using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Deploy;

/// <summary>
/// Every unit in deploy/systemd passes `systemd-analyze verify` without a word on stderr (unknown keys are only
/// warnings there, exit code 0) and `systemd-analyze security --offline=true` scores it within its bound; the
/// README's table shows the same scores.
/// </summary>
public sealed partial class SystemdUnitTests
{
    /// <summary>Highest exposure allowed per unit: the issue's bounds for the services, today's scores for the root helpers.</summary>
    private static readonly Dictionary<string, decimal> Bounds = new(StringComparer.Ordinal)
    {
        ["bramble-aggregator.service"] = 1.5m,
        ["bramble-agent.service"] = 2.5m,
        ["bramble-remount@.service"] = 3.9m,
        ["bramble-reboot.service"] = 3.5m,
    };

    [Fact]
    public async Task Verify_EveryShippedUnit_PrintsNothingOnStderr()
    {
        Assert.SkipUnless(SystemdAnalyze.Installed, SystemdAnalyze.SkipReason);
        using var root = new SystemdUnitRoot();
        var failures = new List<string>();
        foreach (var file in SystemdUnitRoot.ShippedUnits)
        {
            var unit = Instance(Path.GetFileName(file));
            var result = await SystemdAnalyze.RunAsync(["verify", "--root=" + root.Path, unit]);
            if (result.ExitCode != 0 || result.Error.Trim().Length > 0)
            {
                failures.Add($"{unit}: exit {result.ExitCode}\n{result.Error}{result.Output}");
            }
        }

        Assert.True(failures.Count == 0, "systemd-analyze verify complained:\n" + string.Join('\n', failures));
        Assert.True(SystemdUnitRoot.ShippedUnits.Count >= 4, "deploy/systemd lost units: " + string.Join(", ", SystemdUnitRoot.ShippedUnits));
    }

    [Fact]
    public async Task Verify_UnknownKey_ExitsZeroButWarnsOnStderr()
    {
        // Why the test above reads stderr: this is how a misspelt hardening option looks to verify.
        Assert.SkipUnless(SystemdAnalyze.Installed, SystemdAnalyze.SkipReason);
        using var root = new SystemdUnitRoot();
        var unit = Path.Combine(root.Path, SystemdUnitRoot.UnitDirectory, "bramble-aggregator.service");
        File.WriteAllText(unit, File.ReadAllText(unit).Replace("ProtectHome=yes", "ProtectHomes=yes", StringComparison.Ordinal));

        var result = await SystemdAnalyze.RunAsync(["verify", "--root=" + root.Path, "bramble-aggregator.service"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Unknown key 'ProtectHomes'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Security_EveryShippedUnit_ScoresWithinItsBoundAndAsTheReadmeSays()
    {
        Assert.SkipUnless(SystemdAnalyze.Installed, SystemdAnalyze.SkipReason);
        using var root = new SystemdUnitRoot();
        var readme = ReadmeScores();
        var failures = new List<string>();
        var measured = new List<string>();
        foreach (var file in SystemdUnitRoot.ShippedUnits)
        {
            var name = Path.GetFileName(file);
            var unit = Instance(name);
            var result = await SystemdAnalyze.RunAsync(["security", "--offline=true", "--root=" + root.Path, unit]);
            var exposure = SystemdAnalyze.Exposure(unit, result.Output);
            measured.Add($"{name} {exposure}");
            if (!Bounds.TryGetValue(name, out var bound))
            {
                failures.Add($"{name} scores {exposure} but has no bound in {nameof(SystemdUnitTests)}.{nameof(Bounds)}");
            }
            else if (exposure > bound)
            {
                failures.Add($"{name} scores {exposure}, above its bound {bound}");
            }

            if (!readme.TryGetValue(name, out var documented) || documented != exposure)
            {
                failures.Add($"{name} scores {exposure}; the README's table says {(readme.ContainsKey(name) ? documented : "nothing")}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\nmeasured: " + string.Join(", ", measured));
    }

    [Fact]
    public void AgentUnit_KeepsOnlyWhatTheAgentNeeds()
    {
        var agent = File.ReadAllText(Path.Combine(RepoLayout.Root, "deploy", "systemd", "bramble-agent.service"));

        Assert.Contains("\nCapabilityBoundingSet=CAP_NET_RAW\n", agent, StringComparison.Ordinal);
        Assert.Contains("\nAmbientCapabilities=CAP_NET_RAW\n", agent, StringComparison.Ordinal);
        Assert.Contains("\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET\n", agent, StringComparison.Ordinal);
        Assert.Contains("\nStateDirectory=bramble-agent\n", agent, StringComparison.Ordinal);
        Assert.DoesNotContain("DynamicUser=", agent, StringComparison.Ordinal);
        Assert.Contains("\nEnvironment=BRAMBLE_Remediation__PrivilegedActions=HelperUnits\n", agent, StringComparison.Ordinal);

        // Each pings at half of WatchdogSec while its main loop turns (SystemdNotifyTests): the agent's report loop, the
        // aggregator's rule evaluation loop.
        var aggregator = File.ReadAllText(Path.Combine(RepoLayout.Root, "deploy", "systemd", "bramble-aggregator.service"));
        foreach (var (name, unit) in new[] { ("agent", agent), ("aggregator", aggregator) })
        {
            var watchdog = Regex.Match(unit, @"\nWatchdogSec=(\d+)s\n");
            Assert.True(watchdog.Success, $"the {name} unit has no WatchdogSec=<n>s");
            Assert.InRange(int.Parse(watchdog.Groups[1].Value, CultureInfo.InvariantCulture), 10, 120);
        }

        Assert.Contains("\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n", aggregator, StringComparison.Ordinal);
        Assert.Contains("\nCapabilityBoundingSet=\n", aggregator, StringComparison.Ordinal);
    }

    /// <summary>A template is checked through one instance of it.</summary>
    private static string Instance(string unitFile) =>
        unitFile.EndsWith("@.service", StringComparison.Ordinal) ? unitFile.Replace("@.service", "@mnt-media.service", StringComparison.Ordinal) : unitFile;

    /// <summary>The README's score table: "| `bramble-agent.service` | 2.4 | 2.5 | …".</summary>
    private static Dictionary<string, decimal> ReadmeScores()
    {
        var readme = File.ReadAllText(Path.Combine(RepoLayout.Root, "README.md"));
        return ScoreRow().Matches(readme).ToDictionary(
            m => m.Groups["unit"].Value,
            m => decimal.Parse(m.Groups["score"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
            StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^\| `(?<unit>bramble-[a-z@.-]+\.service)` \| (?<score>\d+\.\d) \|", RegexOptions.Multiline)]
    private static partial Regex ScoreRow();
}
