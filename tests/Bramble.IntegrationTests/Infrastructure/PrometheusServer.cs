using System.Globalization;
using System.Text.Json;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port, with its configuration and data in a
/// temp directory; disposing kills it by PID and removes the directory.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Bramble.Testing.TempDirectory _directory = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(15) };
    private ManagedProcess? _process;

    public PrometheusServer() => Port = FreePort.Next();

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Directory => _directory.Path;

    /// <summary>Writes the configuration, starts Prometheus and waits until /-/ready answers 200.</summary>
    public async Task StartAsync(string configuration)
    {
        var config = Path.Combine(_directory.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, configuration);
        _process = ManagedProcess.Start("prometheus", Binary,
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(_directory.Path, "data")}",
            $"--web.listen-address=127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}",
            "--log.level=warn",
        ], workingDirectory: _directory.Path);
        await Eventually.WaitAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited ({_process.ExitCode}):\n{_process.Output}");
            }

            using var response = await _http.GetAsync($"{Url}/-/ready");
            return response.IsSuccessStatusCode;
        }, ready => ready, TimeSpan.FromSeconds(60), "Prometheus ready");
    }

    /// <summary>GET /api/v1/query at the current time; the parsed JSON body (status "success" or "error").</summary>
    public async Task<JsonDocument> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync($"{Url}/api/v1/query?query={Uri.EscapeDataString(promql)}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonDocument> GetJsonAsync(string path) => JsonDocument.Parse(await _http.GetStringAsync($"{Url}{path}"));

    public string Output => _process?.Output ?? "";

    public void Dispose()
    {
        _process?.Dispose();
        _http.Dispose();
        _directory.Dispose();
    }
}
