using Bramble.Aggregator.Api;
using Bramble.Aggregator.StatusPage;

namespace Bramble.Aggregator.Tests;

public sealed class StatusPageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static NodeView View(string name, bool connected = true, string version = "0.1.0", IReadOnlyList<ProbeView>? probes = null, ulong gaps = 0) => new(
        name, connected, Now, Now.AddSeconds(-12), version, "boot", LastSeq: 42, ReportsReceived: 40, DuplicatesDropped: 1,
        SeqGaps: gaps, MessagesRejected: 3, AgentRestarts: 0, Reboots: 0, probes ?? [new ProbeView("vitals", "ok", string.Empty)]);

    [Fact]
    public void Render_HostileNames_AreHtmlEncoded()
    {
        var html = StatusPageEndpoint.Render(
            [View("<script>alert(1)</script>", version: "<b>x</b>", probes: [new ProbeView("<img src=x>", "\"ok\"", string.Empty)])], [], Now);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>x</b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Nodes_ShowsCountsAndOneRowEach()
    {
        var html = StatusPageEndpoint.Render([View("pi-01"), View("pi-02", connected: false, gaps: 5)], [], Now);

        Assert.Contains("1 of 2 agents connected", html, StringComparison.Ordinal);
        Assert.Contains("<td>pi-01</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>pi-02</td>", html, StringComparison.Ordinal);
        Assert.Contains("12 s ago", html, StringComparison.Ordinal);
        Assert.Contains("<td>5</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"cell warn\">offline</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th>vitals</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"cell ok\">ok</td>", html, StringComparison.Ordinal);
        Assert.Contains("No open incidents.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoNodes_IsAValidEmptyPage()
    {
        var html = StatusPageEndpoint.Render([], [], Now);

        Assert.Contains("0 of 0 agents connected", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FiringIncident_ListsItsSummaryAndMarksTheNodeSilent()
    {
        var silent = new IncidentView("agentsilent-node-pi-02-1", "AgentSilent", "critical", "firing", new SubjectView("pi-02", null, null, null),
            Now.AddSeconds(-40), Now.AddSeconds(-40), null, "networkpartition-cluster-1", "pi-02 has not reported for 40 s <b>", new Dictionary<string, string>());
        var partition = new IncidentView("networkpartition-cluster-1", "NetworkPartition", "critical", "firing", new SubjectView(null, null, null, null),
            Now.AddSeconds(-40), Now.AddSeconds(-40), null, null, "2 of 3 agents went silent", new Dictionary<string, string>());

        var html = StatusPageEndpoint.Render([View("pi-01"), View("pi-02")], [silent, partition], Now);

        Assert.Contains("2 open incidents (2 firing)", html, StringComparison.Ordinal);
        Assert.Contains("pi-02 has not reported for 40 s &lt;b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("caused by <a href=\"/api/v1/incidents/networkpartition-cluster-1\">NetworkPartition</a>", html, StringComparison.Ordinal);
        Assert.Contains("<td>pi-02</td><td class=\"cell bad\">silent</td><td class=\"cell none\">ok</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>pi-01</td><td class=\"cell ok\">up</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_KubeletDownFiring_OverridesTheProbesOkInTheKubeletCell()
    {
        // The kubelet probe says "ok" when it got an answer from healthz — an answer of "down" included.
        var down = new IncidentView("kubeletdown-node-pi-01-1", "KubeletDown", "critical", "firing", new SubjectView("pi-01", null, null, null),
            Now.AddSeconds(-30), Now.AddSeconds(-20), null, null, "kubelet on pi-01 is down", new Dictionary<string, string>());
        var slow = new IncidentView("nfsslow-pi-02-1", "NfsSlow", "warning", "pending", new SubjectView("pi-02", "/mnt/nas", null, null),
            Now.AddSeconds(-5), null, null, null, "fsync took 1.5 s", new Dictionary<string, string>());
        ProbeView[] probes = [new("kubelet", "ok", string.Empty), new("nfs", "ok", string.Empty)];

        var html = StatusPageEndpoint.Render([View("pi-01", probes: probes), View("pi-02", probes: probes)], [down, slow], Now);

        Assert.Contains("<td>pi-01</td><td class=\"cell ok\">up</td><td class=\"cell ok\">ok</td><td class=\"cell bad\" title=\"kubelet on pi-01 is down\">KubeletDown</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>pi-02</td><td class=\"cell ok\">up</td><td class=\"cell warn\" title=\"fsync took 1.5 s\">NfsSlow</td><td class=\"cell ok\">ok</td>", html, StringComparison.Ordinal);
    }
}
