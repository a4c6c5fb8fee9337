using System.Globalization;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.KernelLog;

/// <summary>`bramble-agent --once` with Agent:KmsgPath pointing at a file in the /dev/kmsg record format.</summary>
public sealed class KernelLogOnceTests
{
    [Fact]
    public async Task Once_KmsgFixtureWithNotRespondingLines_PrintsThemAsKernelMessages()
    {
        using var procRoot = new FixtureProcRoot("11111111-2222-4333-8444-555555555555");
        using var temp = new TempDirectory();
        // Stamped a few seconds before the uptime the agent will read, so every line is inside the retention window.
        var uptime = double.Parse(File.ReadAllText(Path.Combine(procRoot.Path, "uptime")).Split(' ')[0], CultureInfo.InvariantCulture);
        var usec = (ulong)((uptime - 5) * 1_000_000);
        var kmsg = Path.Combine(temp.Path, "kmsg");
        File.WriteAllText(kmsg, string.Create(CultureInfo.InvariantCulture, $"""
            6,500,{usec - 900},-;br0: port 2(p9) entered forwarding state
            5,501,{usec - 500},-;nfs: server nas.lan not responding, still trying
            12,502,{usec - 400},-;nfs: server forged.lan not responding, still trying
            5,503,{usec - 300},-,caller=T812;nfs: server 127.0.0.1 not responding, timed out
            5,504,{usec},-;nfs: server nas.lan OK

            """));

        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=kmsg-node", $"--Agent:ProcRoot={procRoot.Path}", $"--Agent:KmsgPath={kmsg}", "--Logging:LogLevel:Default=None"]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        using var json = JsonDocument.Parse(agent.Output[agent.Output.IndexOf('{', StringComparison.Ordinal)..]);
        var probe = json.RootElement.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == "kmsg");
        Assert.Equal("PROBE_STATUS_OK", probe.GetProperty("status").GetString());
        var messages = json.RootElement.GetProperty("kernelMessages").EnumerateArray()
            .Select(m => (Event: m.GetProperty("event").GetString(), Subject: m.GetProperty("subject").GetString(), Sequence: m.GetProperty("sequence").GetString(),
                Text: m.GetProperty("text").GetString(), LoggedAt: m.GetProperty("loggedAt").GetDateTimeOffset()))
            .ToList();
        Assert.Equal(
            [
                ("KERNEL_EVENT_NFS_SERVER_NOT_RESPONDING", "nas.lan", "501"),
                ("KERNEL_EVENT_NFS_SERVER_NOT_RESPONDING", "127.0.0.1", "503"),
                ("KERNEL_EVENT_NFS_SERVER_OK", "nas.lan", "504"),
            ],
            messages.Select(m => (m.Event, m.Subject, m.Sequence)));
        Assert.Equal("nfs: server nas.lan not responding, still trying", messages[0].Text);
        // Boot time + the record's stamp: about five seconds before the agent looked (minutes of slack for a loaded machine).
        var observedAt = json.RootElement.GetProperty("observedAt").GetDateTimeOffset();
        Assert.InRange(observedAt - messages[2].LoggedAt, TimeSpan.FromSeconds(4), TimeSpan.FromMinutes(5));
        Assert.True(messages[0].LoggedAt < messages[2].LoggedAt);
    }
}
