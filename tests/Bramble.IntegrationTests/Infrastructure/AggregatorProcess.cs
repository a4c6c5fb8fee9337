using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>A real bramble-aggregator on loopback ports with its own data directory; can be killed and restarted.</summary>
public sealed partial class AggregatorProcess : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string[] _extraArguments;
    private readonly bool _ownsDataDirectory;

    public AggregatorProcess(string? dataDirectory = null, params string[] extraArguments)
    {
        GrpcPort = FreePort.Next();
        HttpPort = FreePort.Next();
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("bt-aggregator-").FullName;
        _extraArguments = extraArguments;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string DataDirectory { get; }

    public string GrpcUrl => $"http://127.0.0.1:{GrpcPort}";

    public string HttpUrl => $"http://127.0.0.1:{HttpPort}";

    public ManagedProcess? Process { get; private set; }

    /// <summary>Arguments added after construction (they may name <see cref="GrpcUrl"/>), passed last at each start.</summary>
    public List<string> LateArguments { get; } = [];

    /// <summary>Output of every incarnation so far.</summary>
    public List<string> PastOutput { get; } = [];

    public async Task StartAsync()
    {
        if (Process is not null)
        {
            PastOutput.Add(Process.Output);
            Process.Dispose();
        }

        Process = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll,
        [
            $"--Aggregator:GrpcUrl={GrpcUrl}",
            $"--Aggregator:HttpUrl={HttpUrl}",
            $"--Aggregator:DataDirectory={DataDirectory}",
            // Plain text must be chosen explicitly; a test's own --Aggregator:AgentAuthentication (later) wins.
            "--Aggregator:AgentAuthentication=None",
            "--Logging:LogLevel:Default=Information",
            // This VM's clock is unsynchronised (adjtimex: 16 s maximum error), which is true and reported as
            // ClockSkew; tests that are not about the clock must not see that incident among theirs.
            "--Rules:ClockSkew:Enabled=false",
            .. _extraArguments,
            .. LateArguments,
        ]);
        await Process.WaitForLineAsync(StartedLine(), TimeSpan.FromSeconds(30));
    }

    public async Task KillAsync()
    {
        if (Process is not null)
        {
            await Process.KillAsync();
        }
    }

    public async Task<IReadOnlyList<NodeStatus>> NodesAsync() =>
        await _http.GetFromJsonAsync<NodeStatus[]>($"{HttpUrl}/api/v1/nodes", Json) ?? [];

    public async Task<NodeStatus?> NodeAsync(string name) => (await NodesAsync()).SingleOrDefault(n => n.Name == name);

    public async Task<IReadOnlyList<IncidentStatus>> IncidentsAsync(string query = "") =>
        await _http.GetFromJsonAsync<IncidentStatus[]>($"{HttpUrl}/api/v1/incidents{query}", Json) ?? [];

    public Task<IncidentStatus?> IncidentAsync(string id) =>
        _http.GetFromJsonAsync<IncidentStatus>($"{HttpUrl}/api/v1/incidents/{id}", Json);

    public Task<string> GetTextAsync(string path) => _http.GetStringAsync($"{HttpUrl}{path}");

    /// <summary>Status code and body of GET <paramref name="path"/>, whatever the status (e.g. /readyz answering 503).</summary>
    public async Task<(int Status, string Body)> GetWithStatusAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri($"{HttpUrl}{path}"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The value of one sample in /metrics, or null when the series is absent.</summary>
    public async Task<double?> MetricAsync(string series)
    {
        var text = await GetTextAsync("/metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public void Dispose()
    {
        Process?.Dispose();
        _http.Dispose();
        if (_ownsDataDirectory)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex StartedLine();
}
