using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// The VIP probe against a real layer-2 segment in network namespaces this test creates (TEST-NET 192.0.2.0/24,
/// names bt-*, deleted afterwards): the agent runs `--once` in the observer namespace and must report exactly the
/// MACs that answer on the wire.
/// </summary>
public sealed partial class VipWireTests
{
    private const string Vip = "192.0.2.100";

    [Fact]
    public async Task Once_OneUserSpaceResponder_ReportsExactlyItsMac()
    {
        await InLabAsync(2, async lab =>
        {
            using var responder = await StartResponderAsync(lab, 1);

            var vip = await ObserveOnceAsync(lab);

            Assert.Equal([NetworkLab.NodeMac(1)], Macs(vip));
            Assert.False(AssignedLocally(vip));
            Assert.Equal("eth0", vip.GetProperty("interface").GetString());
            Assert.Contains("replied to 02:00:00:00:00:09", responder.Output, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Once_StaleNeighbourEntry_IsReportedBesideTheMacThatAnswers()
    {
        await InLabAsync(2, async lab =>
        {
            using var responder = await StartResponderAsync(lab, 1);
            NetworkLab.Ip("-n", lab.Observer, "neigh", "replace", Vip, "lladdr", "02:00:00:00:00:07", "dev", "eth0", "nud", "permanent");

            var vip = await ObserveOnceAsync(lab);

            Assert.Equal([NetworkLab.NodeMac(1)], Macs(vip));
            Assert.Equal("02:00:00:00:00:07", vip.GetProperty("neighbourMac").GetString());
        });
    }

    [Fact]
    public async Task Once_TwoUserSpaceResponders_ReportsBothMacs()
    {
        await InLabAsync(2, async lab =>
        {
            using var first = await StartResponderAsync(lab, 1);
            using var second = await StartResponderAsync(lab, 2);

            var vip = await ObserveOnceAsync(lab);

            Assert.Equal([NetworkLab.NodeMac(1), NetworkLab.NodeMac(2)], Macs(vip).Order(StringComparer.Ordinal));
        });
    }

    [Fact]
    public async Task Once_NobodyAnswers_ReportsZeroResponders()
    {
        await InLabAsync(1, async lab =>
        {
            var vip = await ObserveOnceAsync(lab);

            Assert.Empty(Macs(vip));
            Assert.Equal("0.500s", vip.GetProperty("window").GetString());
        });
    }

    [Fact]
    public async Task Once_VipAssignedOnTheObserver_IsReportedAsLocal_AndTheDefaultInterfaceIsTheRoutes()
    {
        await InLabAsync(1, async lab =>
        {
            NetworkLab.Ip("-n", lab.Observer, "addr", "add", $"{Vip}/32", "dev", "eth0");

            var vip = await ObserveOnceAsync(lab, withInterface: false);

            Assert.True(AssignedLocally(vip));
            Assert.Equal("eth0", vip.GetProperty("interface").GetString());

            // A node never hears its own kernel's reply: the wire shows nobody else.
            Assert.Empty(Macs(vip));
        });
    }

    [Fact]
    public async Task Once_WithoutCapNetRaw_ReportsAProbeErrorInsteadOfCrashing()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/setpriv"), "setpriv (util-linux) is not installed");
        await InLabAsync(1, async lab =>
        {
            using var agent = NetworkLab.StartIn(lab.Observer, "agent --once without CAP_NET_RAW", "setpriv",
            [
                "--bounding-set", "-net_raw", "--inh-caps", "-net_raw",
                "dotnet", RepoLayout.AgentDll, "--once", "--Agent:NodeName=obs", $"--Vip:Watch:0:Address={Vip}", "--Vip:Watch:0:Interface=eth0",
            ]);
            Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));

            var probe = Report(agent).GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == "vip");
            Assert.Equal("PROBE_STATUS_ERROR", probe.GetProperty("status").GetString());
            Assert.Contains("CAP_NET_RAW", probe.GetProperty("detail").GetString(), StringComparison.Ordinal);
        });
    }

    internal static async Task InLabAsync(int nodes, Func<NetworkLab, Task> body)
    {
        Assert.SkipWhen(NetworkLab.SkipReason.Length > 0, NetworkLab.SkipReason);
        string id;
        using (var lab = NetworkLab.Create(nodes))
        {
            id = lab.Id;
            await body(lab);
        }

        Assert.DoesNotContain(NetworkLab.ExistingNamespaces(), ns => ns.StartsWith($"bt-{id}-", StringComparison.Ordinal));
    }

    internal static async Task<ManagedProcess> StartResponderAsync(NetworkLab lab, int node)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Vip", "arp_responder.py");
        var responder = NetworkLab.StartIn(lab.Node(node), $"arp responder n{node}", "python3", [script, "eth0", Vip, "120"]);
        await responder.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(15));
        return responder;
    }

    /// <summary>One `bramble-agent --once` in the observer namespace; returns the VIP's observation.</summary>
    internal static async Task<JsonElement> ObserveOnceAsync(NetworkLab lab, bool withInterface = true)
    {
        using var agent = NetworkLab.StartIn(lab.Observer, "agent --once", "dotnet",
        [
            RepoLayout.AgentDll, "--once", "--Agent:NodeName=obs", $"--Vip:Watch:0:Address={Vip}",
            .. withInterface ? new[] { "--Vip:Watch:0:Interface=eth0" } : [],
        ]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var report = Report(agent);
        var probe = report.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == "vip");
        Assert.Equal("PROBE_STATUS_OK", probe.GetProperty("status").GetString());
        return report.GetProperty("vips").EnumerateArray().Single();
    }

    internal static string[] Macs(JsonElement vip) =>
        vip.TryGetProperty("responders", out var responders)
            ? responders.EnumerateArray().Select(r => r.GetProperty("mac").GetString()!).ToArray()
            : [];

    private static bool AssignedLocally(JsonElement vip) =>
        vip.TryGetProperty("assignedLocally", out var local) && local.GetBoolean();

    private static JsonElement Report(ManagedProcess agent)
    {
        var output = agent.Output;
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        return json.RootElement.Clone();
    }

    [GeneratedRegex("^ready$")]
    private static partial Regex ReadyLine();
}
