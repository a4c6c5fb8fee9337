using System.Reflection;
using Bramble.Aggregator.Runbooks;
using Bramble.Engine.Rules.Agents;
using Bramble.Testing;

namespace Bramble.Aggregator.Tests.Runbooks;

public sealed class RunbookTests
{
    [Fact]
    public void Embedded_HoldsEveryRunbookOfTheRepository_ByName()
    {
        var onDisk = Directory.GetFiles(Path.Combine(TempDirectory.RepoRoot(), "docs", "runbooks"), "*.md").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);

        Assert.Equal(onDisk, RunbookLibrary.Embedded.Names);
        Assert.True(RunbookLibrary.Embedded.TryGet("BrambleKubeletDown", out var markdown));
        Assert.StartsWith("# BrambleKubeletDown", markdown, StringComparison.Ordinal);
        Assert.True(RunbookLibrary.Embedded.TryGet("BrambleKubeletDown.md", out _));
        Assert.False(RunbookLibrary.Embedded.TryGet("../README", out _));
        Assert.False(RunbookLibrary.Embedded.TryGet("bramblekubeletdown", out _));
    }

    [Fact]
    public void ForKind_EveryIncidentKindOfTheEngine_LinksARunbookThatExists()
    {
        var kinds = typeof(AgentSilentRule).Assembly.GetTypes()
            .Select(t => t.GetField("KindName", BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true })
            .Select(f => (string)f!.GetRawConstantValue()!)
            .ToArray();

        Assert.Contains("KubeletDown", kinds);
        Assert.All(kinds, kind => Assert.True(RunbookLibrary.Embedded.TryGet(RunbookNames.ForKind(kind), out _), $"{kind} → {RunbookNames.ForKind(kind)}"));
        Assert.All(RunbookNames.Mapped.Keys, kind => Assert.Contains(kind, kinds));
        Assert.Equal("BrambleKubeletDown", RunbookNames.ForKind("KubeletDown"));
        Assert.Equal(RunbookNames.Generic, RunbookNames.ForKind("VipFlapping"));
    }

    [Fact]
    public void PrometheusRules_RunbookUrls_AfterTheReadmesRewrite_NameRunbooksTheAggregatorServes()
    {
        const string placeholder = "https://bramble.example/docs/runbooks/";
        var rules = File.ReadAllLines(Path.Combine(TempDirectory.RepoRoot(), "deploy", "prometheus", "bramble.rules.yml"))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("runbook_url:", StringComparison.Ordinal))
            .Select(l => l["runbook_url:".Length..].Trim())
            .ToArray();

        Assert.NotEmpty(rules);
        Assert.All(rules, url =>
        {
            Assert.StartsWith(placeholder, url, StringComparison.Ordinal);
            // README: sed 's|https://bramble.example/docs/runbooks/|<aggregator>/runbooks/|' leaves /runbooks/<Alert>.md.
            Assert.True(RunbookLibrary.Embedded.TryGet(url[placeholder.Length..], out _), url);
        });
    }

    [Fact]
    public void ToHtml_RendersTheSubset_AndEncodesEverythingElse()
    {
        var html = RunbookRenderer.ToHtml("""
            # Title <b>

            Text with `code <x>` and a lone ` tick
            continued.

            ## How to fix

            - one `a`
              more of one
            - two [link](javascript:alert(1)) <script>alert(1)</script>

            ```
            <pre> & stuff
            ```
            """);

        Assert.Equal("""
            <h1>Title &lt;b&gt;</h1>
            <p>Text with <code>code &lt;x&gt;</code> and a lone ` tick continued.</p>
            <h2>How to fix</h2>
            <ul>
            <li>one <code>a</code> more of one</li>
            <li>two [link](javascript:alert(1)) &lt;script&gt;alert(1)&lt;/script&gt;</li>
            </ul>
            <pre><code>&lt;pre&gt; &amp; stuff
            </code></pre>

            """, html);
    }

    [Fact]
    public void ToHtml_EveryShippedRunbook_HasItsThreeSections()
    {
        foreach (var name in RunbookLibrary.Embedded.Names)
        {
            Assert.True(RunbookLibrary.Embedded.TryGet(name, out var markdown));
            var html = RunbookRenderer.ToHtml(markdown);
            Assert.Contains($"<h1>{name}</h1>", html, StringComparison.Ordinal);
            Assert.Contains("<h2>What it means</h2>", html, StringComparison.Ordinal);
            Assert.Contains("<h2>How to fix</h2>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        }
    }
}
