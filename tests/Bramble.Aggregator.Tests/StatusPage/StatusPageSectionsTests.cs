using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bramble.Aggregator.Api;
using Bramble.Aggregator.StatusPage;
using Bramble.Engine.Vips;

namespace Bramble.Aggregator.Tests.StatusPage;

public sealed partial class StatusPageSectionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static RemediationPlanView Plan(string id, string status) => new(id, status, "kubeletdown-node-pi-1-1", "KubeletDown", "pi-1", "restart_unit",
        new Dictionary<string, string> { ["unit"] = "kubelet" }, 1, false, $"restart_unit on pi-1 ({id})", Now, null, null, null, null, null);

    [Fact]
    public void Render_PlanAwaitingApproval_HasApproveAndRejectButtons_ATokenField_AndTheScript_NoMetaRefresh()
    {
        var html = StatusPageEndpoint.Render([], [], Now, [Plan("rem-1-1", "awaiting_approval"), Plan("rem-2-1", "dispatched")]);

        Assert.Contains("<button type=\"button\" class=\"approve\" data-plan=\"rem-1-1\" data-decision=\"approve\">Approve</button>", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"button\" class=\"reject\" data-plan=\"rem-1-1\" data-decision=\"reject\">Reject</button>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-plan=\"rem-2-1\"", html, StringComparison.Ordinal);
        Assert.Contains("<input id=\"token\" type=\"password\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", html, StringComparison.Ordinal);
        Assert.Contains("<script>" + StatusPageAssets.Script + "</script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http-equiv=\"refresh\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NothingAwaitingApproval_NoScriptNoTokenField_RefreshesByMeta()
    {
        var html = StatusPageEndpoint.Render([], [], Now, [Plan("rem-2-1", "verifying")]);

        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"token\"", html, StringComparison.Ordinal);
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"5\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_KeepsTheTokenInSessionStorageAndTheHeaderOnly()
    {
        Assert.Contains("sessionStorage.setItem(tokenKey", StatusPageAssets.Script, StringComparison.Ordinal);
        Assert.Contains("'Authorization': 'Bearer ' + token.value", StatusPageAssets.Script, StringComparison.Ordinal);
        Assert.Contains("credentials: 'omit'", StatusPageAssets.Script, StringComparison.Ordinal);
        Assert.DoesNotContain("localStorage", StatusPageAssets.Script, StringComparison.Ordinal);
        Assert.DoesNotContain("cookie", StatusPageAssets.Script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("?token", StatusPageAssets.Script, StringComparison.Ordinal);
    }

    [Fact]
    public void ContentSecurityPolicy_AllowsExactlyTheInlineStyleAndScriptOfThePage_ByHash()
    {
        var html = StatusPageEndpoint.Render([], [], Now, [Plan("rem-1-1", "awaiting_approval")]);
        var csp = StatusPageAssets.ContentSecurityPolicy;

        var scripts = ScriptBlock().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        var styles = StyleBlock().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.Single(scripts);
        Assert.Single(styles);
        Assert.Contains($"script-src '{Sha256(scripts[0])}';", csp, StringComparison.Ordinal);
        Assert.Contains($"style-src '{Sha256(styles[0])}';", csp, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(InlineHandler(), html);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_IncidentEvidence_IsListedAndEncoded()
    {
        var incident = new IncidentView("kubeletdown-1", "KubeletDown", "critical", "firing", new SubjectView("pi-1", null, null, null), Now.AddMinutes(-1),
            Now, null, null, "kubelet on pi-1 is down", new Dictionary<string, string> { ["healthz"] = "refused", ["detail"] = "<connect> failed", ["unit"] = "" });

        var html = StatusPageEndpoint.Render([], [incident], Now);

        Assert.Contains("<dl class=\"evidence\"><dt>detail</dt><dd>&lt;connect&gt; failed</dd><dt>healthz</dt><dd>refused</dd></dl>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Audit_ShowsTheNewestEntries_OrSaysThereAreNone()
    {
        var entries = Enumerable.Range(1, 12).Reverse().Select(i => new AuditEntryView(i, Now.AddSeconds(i), i == 12 ? "approved" : "planned", "rem-1-1",
            "kubeletdown-1", "KubeletDown", "pi-1", "restart_unit", null, $"entry <{i}>", new Dictionary<string, string>())).ToArray();

        var html = StatusPageEndpoint.Render([], [], Now, audit: entries);

        Assert.Contains("<h2>Recent audit entries</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>09:00:12</td><td>approved</td><td>KubeletDown</td><td>pi-1</td><td>restart_unit</td><td>–</td><td>rem-1-1</td><td>entry &lt;12&gt;</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("entry &lt;3&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("entry &lt;2&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Nothing audited yet.", StatusPageEndpoint.Render([], [], Now, audit: []), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_VipOwnerHistory_NewestFailoverFirst()
    {
        VipFailoverView Failover(string from, string to, int secondsAgo) =>
            new($"02:00:00:00:00:0{from[^1]}", from, $"02:00:00:00:00:0{to[^1]}", to, Now.AddSeconds(-secondsAgo - 1), Now.AddSeconds(-secondsAgo), 1.25, "obs", secondsAgo > 5);
        var html = StatusPageEndpoint.Render([], [], Now, vips:
        [
            new VipOwnershipView("192.0.2.100", [new VipOwner("02:00:00:00:00:01", "pi-1")], 2, [Failover("pi-1", "pi-2", 60), Failover("pi-2", "pi-1", 2)]),
        ]);

        Assert.Contains("<h2>VIP owner history</h2>", html, StringComparison.Ordinal);
        var newest = html.IndexOf("<tr><td>08:59:58</td><td>192.0.2.100</td><td>pi-2</td><td>pi-1</td><td>1.25 s (settling)</td></tr>", StringComparison.Ordinal);
        var older = html.IndexOf("<tr><td>08:59:00</td><td>192.0.2.100</td><td>pi-1</td><td>pi-2</td><td>1.25 s</td></tr>", StringComparison.Ordinal);
        Assert.True(newest > 0 && older > newest, html);
    }

    private static string Sha256(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptBlock();

    [GeneratedRegex(@"<[^>]*\son[a-z]+=")]
    private static partial Regex InlineHandler();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();
}
