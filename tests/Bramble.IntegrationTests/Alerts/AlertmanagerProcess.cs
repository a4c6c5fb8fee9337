using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Alerts;

/// <summary>
/// Debian's prometheus-alertmanager run by hand on a loopback port (no cluster), with its own config and storage in a
/// temp directory. Its route sends every notification, resolved ones too, to <c>notifyUrl</c> at once (group_wait 0 s,
/// group_interval 1 s), so a test sees what Alertmanager itself concluded.
/// </summary>
public sealed class AlertmanagerProcess : IDisposable
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";
    private readonly string _directory = Directory.CreateTempSubdirectory("bt-alertmanager-").FullName;
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
    private ManagedProcess? _process;

    public int Port { get; } = FreePort.Next();

    public string Url => $"http://127.0.0.1:{Port}";

    public string Output => _process?.Output ?? string.Empty;

    public static string SkipReason => File.Exists(Binary) ? string.Empty : $"{Binary} is not installed (./test.sh installs prometheus-alertmanager as root)";

    public Task StartAsync(string notifyUrl) => StartAsync(notifyUrl, bearerCredentialsFile: null);

    /// <summary>As <see cref="StartAsync(string)"/>; the webhook sends <c>Authorization: Bearer</c> with the file's token when one is given.</summary>
    public async Task StartAsync(string notifyUrl, string? bearerCredentialsFile)
    {
        var config = Path.Combine(_directory, "alertmanager.yml");
        var authorization = bearerCredentialsFile is null ? string.Empty : $"""

                    http_config:
                      authorization:
                        type: Bearer
                        credentials_file: {bearerCredentialsFile}
            """;
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: capture
              group_by: ['alertname', 'node']
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: capture
                webhook_configs:
                  - url: {notifyUrl}
                    send_resolved: true{authorization}
            """, TestContext.Current.CancellationToken);
        _process = ManagedProcess.Start("alertmanager", Binary,
        [
            $"--config.file={config}",
            $"--storage.path={Path.Combine(_directory, "data")}",
            $"--web.listen-address=127.0.0.1:{Port}",
            "--cluster.listen-address=",
        ]);
        await Eventually.WaitAsync(async () => (await _http.GetAsync($"{Url}/-/ready", TestContext.Current.CancellationToken)).IsSuccessStatusCode,
            ready => ready, TimeSpan.FromSeconds(30), "Alertmanager ready");
    }

    /// <summary>Posts alerts as Prometheus does (a JSON array to /api/v2/alerts); throws unless Alertmanager took them.</summary>
    public async Task PostAlertsAsync(string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"{Url}/api/v2/alerts", content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public Task<string> AlertsJsonAsync() => _http.GetStringAsync($"{Url}/api/v2/alerts", TestContext.Current.CancellationToken);

    public void Dispose()
    {
        _process?.Dispose();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
