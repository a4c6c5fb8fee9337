using System.Text.RegularExpressions;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Aggregator.Tests.Metrics;

/// <summary>
/// docs/metrics.md lists exactly the metric families the aggregator registers, with their types: a family added in
/// code without a row, or a row for a family that is gone, fails here. prometheus-net writes HELP and TYPE for every
/// registered family even before it has series, so one scrape of an empty registry enumerates them all.
/// </summary>
public sealed partial class MetricCatalogueTests
{
    [Fact]
    public async Task Catalogue_AgainstTheRegistry_ListsEveryFamilyAndNoOther()
    {
        var registered = ParseTypes(await ScrapeEmptyRegistryAsync());
        var documented = ParseRows(await File.ReadAllTextAsync(CataloguePath(), TestContext.Current.CancellationToken));

        Assert.True(registered.Count >= 40, $"only {registered.Count} families scraped: is every metrics class constructed here?");
        var undocumented = registered.Keys.Except(documented.Keys).Order(StringComparer.Ordinal).ToList();
        var gone = documented.Keys.Except(registered.Keys).Order(StringComparer.Ordinal).ToList();
        var wrongType = registered.Where(r => documented.TryGetValue(r.Key, out var t) && t != r.Value)
            .Select(r => $"{r.Key}: code {r.Value}, docs {documented[r.Key]}").ToList();
        Assert.True(undocumented.Count == 0 && gone.Count == 0 && wrongType.Count == 0,
            $"docs/metrics.md is out of step with the code.\nmissing rows: {string.Join(", ", undocumented)}\n"
            + $"rows for no registered family: {string.Join(", ", gone)}\nwrong type: {string.Join("; ", wrongType)}");
    }

    [Fact]
    public void ParseRows_CatalogueTable_ReadsNameAndType()
    {
        var rows = ParseRows("| Metric | Type |\n|---|---|\n| `bramble_a_total` | counter | x | `node` | y |\n| `bramble_b` | gauge | — | — | z |\n");

        Assert.Equal(new Dictionary<string, string> { ["bramble_a_total"] = "counter", ["bramble_b"] = "gauge" }, rows);
    }

    [Fact]
    public void Agent_AsTheCatalogueSays_ExportsNoMetrics()
    {
        var agent = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(CataloguePath()))!, "agent");
        var exporting = Directory.GetFiles(agent, "*.cs*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("prometheus", StringComparison.OrdinalIgnoreCase))
            .ToList();

        Assert.True(exporting.Count == 0, "docs/metrics.md says the agent exports no metrics, but these mention Prometheus: " + string.Join(", ", exporting));
    }

    /// <summary>Every metrics class the aggregator registers into its one registry, as the host wires them.</summary>
    private static async Task<string> ScrapeEmptyRegistryAsync()
    {
        var nodes = new NodeDirectory();
        var metrics = new AggregatorMetrics(nodes, new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        object[] families =
        [
            metrics,
            metrics.Nfs,
            new NodeMetrics(nodes, metrics),
            new RemediationMetrics(metrics),
            new VipMetrics(metrics, new Bramble.Engine.Vips.VipOwnerTracker(TimeProvider.System), nodes),
            new AlertMetrics(metrics),
            new AlertmanagerRequestMetrics(metrics),
            new AgentAuthMetrics(metrics),
            new StoreMetrics(metrics, new Bramble.Aggregator.Storage.Degraded.StoreHealth(
                Microsoft.Extensions.Options.Options.Create(new Bramble.Aggregator.Hosting.AggregatorOptions()), TimeProvider.System,
                NullLogger<Bramble.Aggregator.Storage.Degraded.StoreHealth>.Instance)),
            new HttpAuthMetrics(metrics),
            new StreamCutMetrics(metrics),
            new RuntimeMetrics(metrics),
            new LeadershipMetrics(metrics, new Bramble.Aggregator.Leadership.SingleNodeLeadership()),
            new AgentOutboxMetrics(nodes, metrics),
        ];

        // A metrics class added to the aggregator but not constructed above would slip past this test unseen.
        var constructed = families.Select(f => f.GetType()).ToHashSet();
        var metricsClasses = typeof(AggregatorMetrics).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, Namespace: "Bramble.Aggregator.Metrics" } && t.Name.EndsWith("Metrics", StringComparison.Ordinal));
        var missing = metricsClasses.Where(t => !constructed.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "metrics classes this test does not construct: " + string.Join(", ", missing));
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static Dictionary<string, string> ParseTypes(string exposition) =>
        TypeLine().Matches(exposition).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

    internal static Dictionary<string, string> ParseRows(string markdown) =>
        CatalogueRow().Matches(markdown).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

    private static string CataloguePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bramble.sln")))
            {
                return Path.Combine(dir.FullName, "docs", "metrics.md");
            }
        }

        throw new InvalidOperationException("Bramble.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^\| `(bramble_[a-z0-9_]+)` \| (counter|gauge|histogram|summary) \|", RegexOptions.Multiline)]
    private static partial Regex CatalogueRow();
}
