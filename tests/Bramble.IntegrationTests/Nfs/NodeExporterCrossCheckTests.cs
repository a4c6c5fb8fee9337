using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// node_exporter's mountstats collector on the same fixture as Bramble's parser (whose unit tests assert these
/// figures): WRITE requests 12800, transmissions 12814, major timeouts 2.
/// </summary>
public sealed partial class NodeExporterCrossCheckTests
{
    private const string NodeExporter = "/usr/bin/prometheus-node-exporter";

    [Fact]
    public async Task Mountstats_FixtureWriteLine_NodeExporterAgreesWithBramblesParser()
    {
        Assert.SkipUnless(File.Exists(NodeExporter), "prometheus-node-exporter is not installed (./test.sh installs it as root)");
        using var procRoot = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(procRoot.Path, "4242"));
        File.CreateSymbolicLink(Path.Combine(procRoot.Path, "self"), "4242");
        foreach (var name in new[] { "mountinfo", "mountstats" })
        {
            var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Nfs", "Fixtures", name + ".in"));
            File.WriteAllText(Path.Combine(procRoot.Path, "4242", name), template.Replace("@FUSE_MNT@", "/tmp/bramble-lab/nfslab/mnt", StringComparison.Ordinal));
        }

        var port = FreePort.Next();
        using var exporter = ManagedProcess.Start("node_exporter", NodeExporter,
            [$"--path.procfs={procRoot.Path}", "--collector.disable-defaults", "--collector.mountstats", $"--web.listen-address=127.0.0.1:{port}"]);
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await Eventually.WaitAsync(
            () => http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), TestContext.Current.CancellationToken),
            text => text.Contains("node_mountstats_nfs_operations_requests_total", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "node_exporter's mountstats metrics");

        Assert.Equal(12800, Value(metrics, "node_mountstats_nfs_operations_requests_total", "app-data", "WRITE"));
        Assert.Equal(12814, Value(metrics, "node_mountstats_nfs_operations_transmissions_total", "app-data", "WRITE"));
        Assert.Equal(2, Value(metrics, "node_mountstats_nfs_operations_major_timeouts_total", "app-data", "WRITE"));
    }

    private static double Value(string metrics, string name, string export, string operation)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal)
                && line.Contains($"operation=\"{operation}\"", StringComparison.Ordinal)
                && ExportLabel().Match(line) is { Success: true } m && m.Groups[1].Value.EndsWith(export, StringComparison.Ordinal))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{name}{{export=~{export}, operation={operation}}} not in node_exporter's output:\n{metrics}");
    }

    [GeneratedRegex("export=\"([^\"]*)\"")]
    private static partial Regex ExportLabel();
}
