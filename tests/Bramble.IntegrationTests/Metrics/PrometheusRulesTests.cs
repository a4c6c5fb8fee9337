using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Metrics;

/// <summary>
/// The shipped rules (deploy/prometheus/bramble.rules.yml) load in Prometheus's own checker, pass their promtool unit
/// tests, and every alert is tested there and carries a summary, a description and a runbook that exists.
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly string RulesFile = Path.Combine(RepoLayout.Root, "deploy", "prometheus", "bramble.rules.yml");
    private static readonly string TestsDirectory = Path.Combine(RepoLayout.Root, "deploy", "prometheus", "tests");

    private const string DoctorRunbookMarker = "A preflight check of `bramble-agent doctor`.";

    [Fact]
    public async Task Rules_PromtoolCheckRules_Passes()
    {
        SkipUnlessPromtool();
        using var promtool = ManagedProcess.Start("promtool", "/usr/bin/promtool", ["check", "rules", RulesFile]);
        var exit = await promtool.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, $"promtool check rules (exit {exit}):\n{promtool.Output}");
        Assert.Contains("SUCCESS", promtool.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_PromtoolTestRules_EveryUnitTestPasses()
    {
        SkipUnlessPromtool();
        var files = Directory.GetFiles(TestsDirectory, "*.yml");
        Assert.NotEmpty(files);
        using var promtool = ManagedProcess.Start("promtool", "/usr/bin/promtool", ["test", "rules", .. files], workingDirectory: TestsDirectory);
        var exit = await promtool.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.True(exit == 0, $"promtool test rules (exit {exit}):\n{promtool.Output}");
        Assert.DoesNotContain("FAILED", promtool.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Alerts_EachOne_HasAnnotationsARunbookAndAUnitTest()
    {
        var rules = File.ReadAllText(RulesFile);
        var tests = string.Concat(Directory.GetFiles(TestsDirectory, "*.yml").Select(File.ReadAllText));
        var blocks = AlertBlock().Matches(rules).Select(m => (Name: m.Groups[1].Value, Body: m.Groups[2].Value)).ToList();
        Assert.True(blocks.Count >= 10, $"only {blocks.Count} alerts parsed from {RulesFile}");

        var problems = new List<string>();
        foreach (var (name, body) in blocks)
        {
            foreach (var annotation in new[] { "summary:", "description:" })
            {
                if (!body.Contains(annotation, StringComparison.Ordinal))
                {
                    problems.Add($"{name}: no {annotation}");
                }
            }

            if (!body.Contains($"runbook_url: https://bramble.example/docs/runbooks/{name}.md", StringComparison.Ordinal))
            {
                problems.Add($"{name}: runbook_url is not …/docs/runbooks/{name}.md");
            }

            var runbook = Path.Combine(RepoLayout.Root, "docs", "runbooks", name + ".md");
            if (!File.Exists(runbook))
            {
                problems.Add($"{name}: {runbook} is missing");
            }
            else
            {
                var text = File.ReadAllText(runbook);
                problems.AddRange(new[] { "## What it means", "## How to confirm by hand", "## How to fix" }
                    .Where(h => !text.Contains(h, StringComparison.Ordinal)).Select(h => $"{name}: runbook lacks '{h}'"));
            }

            if (!tests.Contains($"alertname: {name}\n", StringComparison.Ordinal))
            {
                problems.Add($"{name}: no alert_rule_test in {TestsDirectory}");
            }
        }

        // The doctor's checks have runbooks too; they say so on their third line and belong to no alert.
        var orphans = Directory.GetFiles(Path.Combine(RepoLayout.Root, "docs", "runbooks"), "*.md")
            .Where(f => !File.ReadLines(f).Take(3).Contains(DoctorRunbookMarker, StringComparer.Ordinal))
            .Select(Path.GetFileNameWithoutExtension).Except(blocks.Select(b => b.Name));
        problems.AddRange(orphans.Select(o => $"docs/runbooks/{o}.md belongs to no alert"));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static void SkipUnlessPromtool() =>
        Assert.SkipUnless(File.Exists("/usr/bin/promtool"), "promtool is not installed (Debian package prometheus; ./test.sh installs it as root)");

    /// <summary>One "- alert: Name" item up to the next rule item or group.</summary>
    [GeneratedRegex(@"^ *- alert: (\w+)\n((?:(?! *- (?:alert|record|name):).*\n)*)", RegexOptions.Multiline)]
    private static partial Regex AlertBlock();
}
