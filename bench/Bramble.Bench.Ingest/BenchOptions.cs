using System.Globalization;

namespace Bramble.Bench.Ingest;

/// <summary>What one benchmark run does, from the command line.</summary>
internal sealed class BenchOptions
{
    public int Agents { get; private set; } = 10;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);

    /// <summary>Reports per second each agent sends (paced, as real agents are); 0: as fast as the window allows.</summary>
    public double Rate { get; private set; }

    /// <summary>Most unacknowledged reports one agent keeps in flight.</summary>
    public int Window { get; private set; } = 256;

    /// <summary>bramble-aggregator.dll to start on free loopback ports; null with <see cref="Target"/>.</summary>
    public string? AggregatorDll { get; private set; }

    /// <summary>Extra command-line settings for the aggregator this benchmark starts (e.g. --Aggregator:Store=Postgres).</summary>
    public List<string> AggregatorArgs { get; } = [];

    /// <summary>gRPC address of an aggregator that is already running.</summary>
    public Uri? Target { get; private set; }

    /// <summary>HTTP (API) address of that aggregator, for the correctness check and its PID for CPU and RSS.</summary>
    public Uri? TargetHttp { get; private set; }

    /// <summary>PID of the already running aggregator, to read its CPU and RSS from /proc; 0 when unknown.</summary>
    public int TargetPid { get; private set; }

    /// <summary>File to append one Markdown table row with the results to (for bench/ingest/run.sh).</summary>
    public string? ResultsRowFile { get; private set; }

    /// <summary>File to append the correctness verdict and diagnostics lines to.</summary>
    public string? NotesFile { get; private set; }

    /// <summary>File to write every line of the started aggregator's console output to (to read its Debug logs).</summary>
    public string? AggregatorLogFile { get; private set; }

    /// <summary>How many agents open their streams at the same time during the ramp-up.</summary>
    public int ConnectConcurrency { get; private set; } = 32;

    /// <summary>How long to wait for the shared machine to go quiet before starting; zero starts at once.</summary>
    public TimeSpan QuietWait { get; private set; } = TimeSpan.Zero;

    public const string Usage = """
        bramble-bench-ingest: simulated agents streaming reports to a bramble-aggregator.

          --agents N             simulated agents, each with its own HTTP/2 connection (default 10)
          --duration SECONDS     measured phase (default 10)
          --warmup SECONDS       unmeasured phase before it (default 3)
          --window N             most unacknowledged reports per agent (default 256)
          --rate R               reports per second per agent, evenly spread (default 0: as fast as the window allows)
          --aggregator PATH      bramble-aggregator.dll to start on free loopback ports with a temp data dir
          --aggregator-arg ARG   one more command-line setting for that aggregator, e.g. --Aggregator:Store=Postgres (repeatable)
          --aggregator-log FILE  write the started aggregator's whole console output to FILE
          --target URL           gRPC URL of a running aggregator, e.g. http://127.0.0.1:9731
          --target-http URL      its HTTP URL for the correctness check (default: gRPC port - 1)
          --target-pid PID       its PID, to measure its CPU and RSS
          --results-row FILE     append a Markdown table row with the results
          --notes FILE           append the correctness verdict and diagnostics
          --connect-concurrency N  streams opened at once during the ramp-up (default 32)
          --quiet-wait SECONDS   first wait up to this long for other processes to leave the CPUs idle (default 0)
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--agents":
                    options.Agents = PositiveInt(name, Value());
                    break;
                case "--duration":
                    options.Duration = Seconds(name, Value());
                    break;
                case "--warmup":
                    options.Warmup = Seconds(name, Value(), allowZero: true);
                    break;
                case "--rate":
                    options.Rate = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1000
                        ? rate
                        : throw new ArgumentException($"{name} must be a number of reports per second (0-1000)");
                    break;
                case "--window":
                    options.Window = PositiveInt(name, Value());
                    break;
                case "--aggregator":
                    options.AggregatorDll = Path.GetFullPath(Value());
                    break;
                case "--aggregator-arg":
                    options.AggregatorArgs.Add(Value());
                    break;
                case "--aggregator-log":
                    options.AggregatorLogFile = Value();
                    break;
                case "--target":
                    options.Target = LoopbackUri(name, Value());
                    break;
                case "--target-http":
                    options.TargetHttp = LoopbackUri(name, Value());
                    break;
                case "--target-pid":
                    options.TargetPid = PositiveInt(name, Value());
                    break;
                case "--results-row":
                    options.ResultsRowFile = Value();
                    break;
                case "--notes":
                    options.NotesFile = Value();
                    break;
                case "--quiet-wait":
                    options.QuietWait = Seconds(name, Value(), allowZero: true);
                    break;
                case "--connect-concurrency":
                    options.ConnectConcurrency = PositiveInt(name, Value());
                    break;
                default:
                    throw new ArgumentException($"unknown option {name}");
            }
        }

        if ((options.AggregatorDll is null) == (options.Target is null))
        {
            throw new ArgumentException("give exactly one of --aggregator PATH and --target URL");
        }

        if (options.AggregatorDll is { } dll && !File.Exists(dll))
        {
            throw new ArgumentException($"--aggregator: {dll} does not exist (build it with dotnet build -c Release)");
        }

        if (options.Target is { } target && options.TargetHttp is null)
        {
            options.TargetHttp = new UriBuilder(target) { Port = target.Port - 1 }.Uri;
        }

        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");

    private static TimeSpan Seconds(string name, string value, bool allowZero = false) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && (s > 0 || (allowZero && s == 0)) && s <= 3600
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{name} must be a number of seconds (0-3600), not '{value}'");

    // The benchmark only ever talks to this machine over IPv4 loopback: a typo must not load a real cluster.
    private static Uri LoopbackUri(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.Host == "127.0.0.1"
            ? uri
            : throw new ArgumentException($"{name} must be an http://127.0.0.1:PORT URL, not '{value}'");
}
