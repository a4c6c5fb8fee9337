using System.Globalization;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Bench.Detection;

/// <summary>
/// Debian's prometheus-alertmanager on a loopback port, the one both stacks post to. Every alert is its own group
/// (group_by '...') with no group_wait, and the receiver sends nothing: the benchmark reads what Alertmanager holds
/// (GET /api/v2/alerts), which is what it would route, not what a notifier does with it afterwards.
/// </summary>
public sealed class AlertmanagerServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";

    private readonly Bramble.Testing.TempDirectory _directory = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
    private ManagedProcess? _process;

    public int Port { get; } = FreePort.Next();

    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public async Task StartAsync()
    {
        var config = Path.Combine(_directory.Path, "alertmanager.yml");
        await File.WriteAllTextAsync(config, """
            route:
              receiver: none
              group_by: ['...']
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: none
            """);
        _process = ManagedProcess.Start("alertmanager", Binary,
        [
            $"--config.file={config}",
            $"--storage.path={Path.Combine(_directory.Path, "data")}",
            $"--web.listen-address=127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}",
            "--cluster.listen-address=",
        ]);
        await Eventually.WaitAsync(async () => (await _http.GetAsync($"{Url}/-/ready")).IsSuccessStatusCode,
            ready => ready, TimeSpan.FromSeconds(60), "Alertmanager ready");
    }

    /// <summary>Active alerts: name, node label (may be empty), and when Alertmanager last took a post of it (updatedAt).</summary>
    public async Task<IReadOnlyList<HeldAlert>> ActiveAlertsAsync()
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync($"{Url}/api/v2/alerts?active=true&silenced=true&inhibited=true"));
        var alerts = new List<HeldAlert>();
        foreach (var alert in json.RootElement.EnumerateArray())
        {
            var labels = alert.GetProperty("labels");
            alerts.Add(new HeldAlert(
                labels.GetProperty("alertname").GetString() ?? string.Empty,
                labels.TryGetProperty("node", out var node) ? node.GetString() ?? string.Empty : string.Empty,
                alert.GetProperty("updatedAt").GetDateTimeOffset()));
        }

        return alerts;
    }

    public void Dispose()
    {
        _process?.Dispose();
        _http.Dispose();
        _directory.Dispose();
    }
}
