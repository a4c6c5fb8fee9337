using System.Text.Json;
using Bramble.Testing;

namespace Bramble.Aggregator.Tests.Dashboard;

/// <summary>
/// The shipped Grafana dashboard as Grafana would import it, checked without a Grafana: it parses, picks its Prometheus
/// through a datasource variable, filters by cluster and node, and its panels fit the 24-column grid without overlapping.
/// (That its queries return data is DashboardQueryTests', against a real Prometheus.)
/// </summary>
public sealed class GrafanaDashboardSchemaTests
{
    /// <summary>Panel types built into Grafana 10/11 (no plugin to install); "graph" and other Angular panels are gone from 11.</summary>
    private static readonly HashSet<string> CorePanelTypes = new(StringComparer.Ordinal)
    {
        "row", "timeseries", "stat", "gauge", "bargauge", "table", "state-timeline", "status-history", "barchart", "histogram", "heatmap",
        "piechart", "text", "logs", "news", "nodeGraph", "traces", "flamegraph", "dashlist", "alertlist", "annolist", "geomap", "canvas",
        "xychart", "candlestick", "trend", "datagrid",
    };

    private static readonly string DashboardPath = Path.Combine(TempDirectory.RepoRoot(), "deploy", "grafana", "bramble-cluster.json");

    [Fact]
    public void Dashboard_Parses_AndHasASchemaVersionTitleAndUid()
    {
        using var dashboard = Load();
        var root = dashboard.RootElement;

        Assert.Equal(JsonValueKind.Number, root.GetProperty("schemaVersion").ValueKind);
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36, "schemaVersion predates the datasource-reference format this dashboard uses");
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("uid").GetString()));
    }

    [Fact]
    public void Templating_HasAPrometheusDatasourceVariable_AndClusterAndNodeQueryVariablesOnIt()
    {
        using var dashboard = Load();
        var variables = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, StringComparer.Ordinal);

        var datasource = variables["datasource"];
        Assert.Equal("datasource", datasource.GetProperty("type").GetString());
        Assert.Equal("prometheus", datasource.GetProperty("query").GetString());
        foreach (var name in new[] { "cluster", "node" })
        {
            Assert.True(variables.TryGetValue(name, out var variable), $"no '{name}' variable");
            Assert.Equal("query", variable.GetProperty("type").GetString());
            AssertIsTheVariable(variable.GetProperty("datasource"), $"variable {name}");
        }

        Assert.Contains("$cluster", QueryText(variables["node"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Panels_HaveUniqueIds_CoreTypes_AndEveryTargetUsesTheDatasourceVariable()
    {
        using var dashboard = Load();
        var panels = AllPanels(dashboard.RootElement).ToArray();

        Assert.NotEmpty(panels);
        var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        foreach (var panel in panels)
        {
            var name = Name(panel);
            var type = panel.GetProperty("type").GetString()!;
            Assert.True(CorePanelTypes.Contains(type), $"{name}: '{type}' is not a core Grafana panel type");
            if (type == "row")
            {
                continue;
            }

            Assert.True(panel.TryGetProperty("datasource", out var panelSource), $"{name}: no datasource");
            AssertIsTheVariable(panelSource, name);
            var targets = panel.GetProperty("targets").EnumerateArray().ToArray();
            Assert.True(targets.Length > 0, $"{name}: no targets");
            Assert.Equal(targets.Length, targets.Select(t => t.GetProperty("refId").GetString()).Distinct(StringComparer.Ordinal).Count());
            foreach (var target in targets)
            {
                Assert.True(target.TryGetProperty("datasource", out var source), $"{name} target {target.GetProperty("refId")}: no datasource");
                AssertIsTheVariable(source, $"{name} target {target.GetProperty("refId")}");
                Assert.False(string.IsNullOrWhiteSpace(target.GetProperty("expr").GetString()), $"{name}: an empty expr");
            }
        }
    }

    [Fact]
    public void Panels_FitThe24ColumnGrid_AndNoTwoOverlap()
    {
        using var dashboard = Load();
        var root = dashboard.RootElement;

        AssertLaidOut(root.GetProperty("panels").EnumerateArray().ToArray(), "the dashboard");
        foreach (var row in root.GetProperty("panels").EnumerateArray().Where(p => p.TryGetProperty("panels", out var inner) && inner.GetArrayLength() > 0))
        {
            // A collapsed row keeps its panels inside it, laid out as they will be when it opens.
            AssertLaidOut(row.GetProperty("panels").EnumerateArray().ToArray(), Name(row));
        }
    }

    [Fact]
    public void Overlap_IsFound_WhenTwoPanelsShareACell()
    {
        // The check itself can fail: two panels that share the cell (12, 3).
        using var json = JsonDocument.Parse("""
            [{"id":1,"type":"stat","gridPos":{"x":0,"y":0,"w":13,"h":4}},{"id":2,"type":"stat","gridPos":{"x":12,"y":3,"w":12,"h":4}}]
            """);

        Assert.ThrowsAny<Exception>(() => AssertLaidOut(json.RootElement.EnumerateArray().ToArray(), "sample"));
    }

    private static void AssertLaidOut(JsonElement[] panels, string where)
    {
        var boxes = new List<(string Name, int X, int Y, int W, int H)>();
        foreach (var panel in panels)
        {
            var name = Name(panel);
            Assert.True(panel.TryGetProperty("gridPos", out var grid), $"{name}: no gridPos");
            var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            Assert.True(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, $"{name}: gridPos x={x} y={y} w={w} h={h} is outside the 24-column grid");
            boxes.Add((name, x, y, w, h));
        }

        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"in {where}, {a.Name} and {b.Name} overlap");
            }
        }
    }

    private static void AssertIsTheVariable(JsonElement source, string what)
    {
        // Grafana accepts both the object reference and the older plain string.
        var uid = source.ValueKind == JsonValueKind.String ? source.GetString() : source.GetProperty("uid").GetString();
        Assert.True(uid is "${datasource}" or "$datasource", $"{what}: datasource is {source.GetRawText()}, not the $datasource variable");
        if (source.ValueKind == JsonValueKind.Object && source.TryGetProperty("type", out var type))
        {
            Assert.Equal("prometheus", type.GetString());
        }
    }

    private static IEnumerable<JsonElement> AllPanels(JsonElement root)
    {
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var inner))
            {
                foreach (var child in inner.EnumerateArray())
                {
                    yield return child;
                }
            }
        }
    }

    private static string QueryText(JsonElement variable) => variable.GetProperty("query") is { ValueKind: JsonValueKind.Object } query
        ? query.GetProperty("query").GetString() ?? string.Empty
        : variable.GetProperty("query").GetString() ?? string.Empty;

    private static string Name(JsonElement panel) =>
        $"panel {(panel.TryGetProperty("id", out var id) ? id.GetRawText() : "?")} ('{(panel.TryGetProperty("title", out var title) ? title.GetString() : string.Empty)}')";

    private static JsonDocument Load() => JsonDocument.Parse(File.ReadAllText(DashboardPath));
}
