using System.Globalization;
using System.Text.RegularExpressions;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>A real bramble-agent reporting to a test aggregator.</summary>
public static partial class AgentProcess
{
    public static ManagedProcess Start(string nodeName, string aggregatorUrl, params string[] extraArguments) =>
        ManagedProcess.StartDotnet($"agent {nodeName}", RepoLayout.AgentDll,
        [
            $"--Agent:NodeName={nodeName}",
            $"--Agent:AggregatorAddress={aggregatorUrl}",
            "--Agent:ReportInterval=00:00:00.1",
            "--Agent:ProbeInterval=00:00:01",
            "--Agent:ReconnectInitialDelay=00:00:00.2",
            "--Agent:ReconnectMaxDelay=00:00:01",
            "--Logging:LogLevel:Default=Information",
            .. extraArguments,
        ]);

    /// <summary>As <see cref="Start(string, string, string[])"/>, with extra environment variables (e.g. a PATH with test doubles first).</summary>
    public static ManagedProcess Start(string nodeName, string aggregatorUrl, IEnumerable<string> extraArguments, IDictionary<string, string> environment) =>
        ManagedProcess.StartDotnet($"agent {nodeName}", RepoLayout.AgentDll,
        [
            $"--Agent:NodeName={nodeName}",
            $"--Agent:AggregatorAddress={aggregatorUrl}",
            "--Agent:ReportInterval=00:00:00.1",
            "--Agent:ProbeInterval=00:00:01",
            "--Agent:ReconnectInitialDelay=00:00:00.2",
            "--Agent:ReconnectMaxDelay=00:00:01",
            "--Logging:LogLevel:Default=Information",
            .. extraArguments,
        ],
        environment);

    public static Task WaitConnectedAsync(ManagedProcess agent) =>
        agent.WaitForLineAsync(ConnectedLine(), TimeSpan.FromSeconds(30));

    /// <summary>Stops the agent as systemd would (SIGTERM) and returns the last sequence number it handed out.</summary>
    public static async Task<StoppedAgent> StopAsync(ManagedProcess agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var exit = await agent.StopAsync(TimeSpan.FromSeconds(30));
        var match = await agent.WaitForLineAsync(StoppedLine(), TimeSpan.FromSeconds(5));
        return new StoppedAgent(
            exit,
            match.Groups["boot"].Value,
            ulong.Parse(match.Groups["seq"].Value, CultureInfo.InvariantCulture),
            ulong.Parse(match.Groups["acked"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["pending"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("Connected to the aggregator")]
    private static partial Regex ConnectedLine();

    [GeneratedRegex(@"Stopped: boot (?<boot>[0-9a-f-]+) reached seq (?<seq>\d+), acknowledged up to (?<acked>\d+), (?<pending>\d+) report")]
    private static partial Regex StoppedLine();
}
