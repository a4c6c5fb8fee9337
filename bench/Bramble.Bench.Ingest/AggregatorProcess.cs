using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bramble.Bench.Ingest;

/// <summary>
/// A bramble-aggregator this benchmark starts itself: free loopback ports, a fresh data directory, its console
/// output kept (last lines and warning counts) for the report, and killed by its PID at the end.
/// </summary>
internal sealed class AggregatorProcess : IDisposable
{
    private const int KeptOutputLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _outputGate = new();
    private readonly Dictionary<string, (int Count, string First)> _byEvent = new(StringComparer.Ordinal);
    private StreamWriter? _log;
    private int _warnings;
    private int _errors;

    private AggregatorProcess(Process process, Uri grpc, Uri http)
    {
        _process = process;
        Grpc = grpc;
        Http = http;
    }

    public Uri Grpc { get; }

    public Uri Http { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Log lines at warn level seen so far (gaps, rejects, store trouble).</summary>
    public int Warnings
    {
        get
        {
            lock (_outputGate)
            {
                return _warnings;
            }
        }
    }

    /// <summary>Log lines at fail or crit level seen so far.</summary>
    public int Errors
    {
        get
        {
            lock (_outputGate)
            {
                return _errors;
            }
        }
    }

    /// <summary>
    /// Warning and error lines grouped by "level Category[EventId]", most frequent first, each with its count and
    /// first line: a count alone (e.g. "518 warnings") says nothing about what went wrong.
    /// </summary>
    public IReadOnlyList<(string Event, int Count, string First)> LoggedProblems()
    {
        lock (_outputGate)
        {
            return _byEvent.OrderByDescending(p => p.Value.Count).Select(p => (p.Key, p.Value.Count, p.Value.First)).ToList();
        }
    }

    public static AggregatorProcess Start(string dll, string dataDirectory, IEnumerable<string> extraArgs, string? logFile = null)
    {
        var grpcPort = FreeLoopbackPort();
        var httpPort = FreeLoopbackPort();
        while (httpPort == grpcPort)
        {
            httpPort = FreeLoopbackPort();
        }

        var grpc = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{grpcPort}"));
        var http = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{httpPort}"));
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Aggregator:GrpcUrl={grpc.GetLeftPart(UriPartial.Authority)}");
        start.ArgumentList.Add($"--Aggregator:HttpUrl={http.GetLeftPart(UriPartial.Authority)}");
        start.ArgumentList.Add($"--Aggregator:DataDirectory={dataDirectory}");
        start.ArgumentList.Add("--Aggregator:AgentAuthentication=None");
        // Required with Store=Postgres (a follower redirects agents there); harmless with SQLite.
        start.ArgumentList.Add($"--Aggregator:AdvertiseAddress={grpc.GetLeftPart(UriPartial.Authority)}");
        foreach (var arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var aggregator = new AggregatorProcess(process, grpc, http);
        if (logFile is not null)
        {
            aggregator._log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        }

        process.OutputDataReceived += (_, e) => aggregator.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => aggregator.Keep(e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException("could not start dotnet " + dll);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return aggregator;
    }

    /// <summary>
    /// Polls /readyz until the store is open and the ports listen, then /api/v1/leadership until it leads (at once with
    /// SQLite; with PostgreSQL once it holds the lease: a follower sends agents away after their Welcome, and the
    /// simulated agents do not follow the redirect); throws after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitUntilReadyAsync(HttpClient http, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"the aggregator exited with code {_process.ExitCode} before it was ready:{Environment.NewLine}{LastOutput()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Http, "/readyz"), ct);
                if (response.IsSuccessStatusCode
                    && (await http.GetStringAsync(new Uri(Http, "/api/v1/leadership"), ct)).Contains("\"role\":\"leader\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }

        throw new TimeoutException($"the aggregator was not ready within {timeout.TotalSeconds} s:{Environment.NewLine}{LastOutput()}");
    }

    public string LastOutput()
    {
        lock (_outputGate)
        {
            return string.Join(Environment.NewLine, _lastLines);
        }
    }

    /// <summary>Kills exactly the process this object started (by PID, not its tree or anything by name).</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It already exited.
        }

        _process.Dispose();
        lock (_outputGate)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputGate)
        {
            // SimpleConsole single-line format: "HH:mm:ss.fff warn: Category[id] message".
            if (line.Contains(" warn: ", StringComparison.Ordinal))
            {
                _warnings++;
                CountByEvent(line, " warn: ");
            }
            else if (line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal))
            {
                _errors++;
                CountByEvent(line, line.Contains(" fail: ", StringComparison.Ordinal) ? " fail: " : " crit: ");
            }

            _log?.WriteLine(line);
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptOutputLines)
            {
                _lastLines.Dequeue();
            }
        }
    }

    private void CountByEvent(string line, string level)
    {
        var start = line.IndexOf(level, StringComparison.Ordinal) + 1;
        var end = line.IndexOf(']', start);
        var key = end > start ? line[start..(end + 1)] : line[start..];
        _byEvent[key] = _byEvent.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.First) : (1, line);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
