namespace Bramble.Bench.Detection;

/// <summary>
/// The linked test helper starts agents with test-speed intervals; these put the shipped defaults back
/// (AgentOptions: probes every 5 s, a report every 10 s or at once on a changed outcome), since the benchmark
/// measures what a user gets. Later arguments win in .NET's command-line configuration.
/// </summary>
public static class AgentDefaults
{
    public static readonly string[] Intervals = ["--Agent:ProbeInterval=00:00:05", "--Agent:ReportInterval=00:00:10"];
}
