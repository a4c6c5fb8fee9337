using Bramble.Aggregator.Alerts.Inbound;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Tests.Alerts;

/// <summary>
/// Requests from Alertmanager as incidents, pure with a given time: each action's step, expiry, and the planner's own
/// guards applied to them exactly as to the rule engine's incidents.
/// </summary>
public sealed class RemediationRequestBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("restart-kubelet", "", RemediationAction.RestartUnit, "unit", "kubelet")]
    [InlineData("restart-unit", "unit=k3s-agent", RemediationAction.RestartUnit, "unit", "k3s-agent")]
    [InlineData("remount-nfs", "mount=/mnt/nas", RemediationAction.RemountNfs, "mount", "/mnt/nas")]
    [InlineData("gratuitous-arp", "vip=192.0.2.100", RemediationAction.SendGratuitousArp, "address", "192.0.2.100")]
    [InlineData("reboot", "", RemediationAction.Reboot, null, null)]
    [InlineData("hook", "hook=drain-node", RemediationAction.RunHook, "hook", "drain-node")]
    public void Action_DryRun_PlannedAndSentAsTheMatchingCommand(string action, string extra, RemediationAction expected, string? argument, string? value)
    {
        var settings = Settings();
        settings.NfsMounts.Add("/mnt/nas");
        settings.RebootEnabled = true;
        var book = new RemediationRequestBook(settings, TimeSpan.FromHours(9));
        var labels = Labels(action);
        if (extra.Length > 0)
        {
            var (key, text) = (extra.Split('=')[0], extra.Split('=')[1]);
            labels[key] = text;
        }

        Assert.Equal(InboundOutcomes.Accepted, book.Receive(Alert(labels, "f1"), T0).Outcome);
        var decision = Plan(settings, book, T0.AddSeconds(31));

        var command = Assert.Single(decision.Commands);
        Assert.Equal((expected, "pi-1", true), (command.Action, command.Node, command.DryRun));
        if (argument is not null)
        {
            Assert.Equal(value, command.Arguments[argument]);
        }

        Assert.Equal(["planned", "dispatched"], decision.Audit.Select(a => a.Event));
        Assert.All(decision.Audit, a => Assert.Equal(("AlertmanagerRequest", "KubeletWedged"), (a.Kind, a.Evidence["alertname"])));
    }

    [Fact]
    public void Guards_ApplyToRequests_ModeOffAllowListSettleAndOneInFlight()
    {
        var off = Settings();
        off.Mode = RemediationMode.Off;
        var book = new RemediationRequestBook(off, TimeSpan.FromHours(9));
        book.Receive(Alert(Labels("restart-kubelet"), "f1"), T0);
        Assert.Empty(Plan(off, book, T0).Audit);
        Assert.Equal(SuppressionReasons.ModeOff, Assert.Single(Plan(off, book, T0.AddSeconds(31)).Suppressions));

        var settings = Settings();
        var remount = new RemediationRequestBook(settings, TimeSpan.FromHours(9));
        var labels = Labels("remount-nfs");
        labels["mount"] = "/mnt/not-listed";
        remount.Receive(Alert(labels, "f2"), T0);
        var refused = Plan(settings, remount, T0.AddSeconds(31));
        Assert.Equal(SuppressionReasons.NotAllowed, Assert.Single(refused.Suppressions));
        Assert.Contains("Remediation:NfsMounts", refused.Audit.Single().Detail, StringComparison.Ordinal);

        // Two requests for two nodes: one command, the other waits for the slot.
        var two = new RemediationRequestBook(settings, TimeSpan.FromHours(9));
        two.Receive(Alert(Labels("restart-kubelet"), "f3"), T0);
        var other = Labels("restart-kubelet");
        other["node"] = "pi-2";
        two.Receive(Alert(other, "f4"), T0);
        var planner = new RemediationPlanner(settings, TimeProvider.System);
        var decision = planner.Evaluate(new RemediationInput(T0.AddSeconds(31), two.Open(T0.AddSeconds(31), out _), Nodes()));
        Assert.Single(decision.Commands);
        Assert.Equal(SuppressionReasons.ActionInFlight, Assert.Single(decision.Suppressions));
    }

    [Fact]
    public void Open_NotResentWithinExpiry_Closed_ResendKeepsItOpen()
    {
        var book = new RemediationRequestBook(Settings(), TimeSpan.FromHours(9));
        book.Receive(Alert(Labels("restart-kubelet"), "f1"), T0);
        book.Receive(Alert(Labels("reboot"), "f2"), T0);

        book.Receive(Alert(Labels("restart-kubelet"), "f1"), T0.AddHours(8));
        var open = book.Open(T0.AddHours(9).AddSeconds(1), out var expired);

        Assert.Equal("restart-kubelet", Assert.Single(open).Evidence["action"]);
        Assert.Equal("reboot", Assert.Single(expired).Evidence["action"]);
    }

    [Fact]
    public void Receive_SameAskForTheSameNodeTwice_OneRequestForThePlanner_TheOtherTakesOverWhenItResolves()
    {
        var book = new RemediationRequestBook(Settings(), TimeSpan.FromHours(9));
        book.Receive(Alert(Labels("restart-kubelet"), "older"), T0);
        book.Receive(Alert(Labels("restart-kubelet"), "newer"), T0.AddSeconds(1));

        Assert.Equal("older", Assert.Single(book.Open(T0.AddSeconds(2), out _)).Evidence["fingerprint"]);
        book.Receive(Alert(Labels("restart-kubelet"), "older") with { Status = "resolved" }, T0.AddSeconds(3));
        Assert.Equal("newer", Assert.Single(book.Open(T0.AddSeconds(4), out _)).Evidence["fingerprint"]);
    }

    private static RemediationSettings Settings() => new() { MaxUnhealthyShare = 1 };

    private static NodeFacts[] Nodes() => [new("pi-1", true, "boot-1"), new("pi-2", true, "boot-2")];

    private static RemediationDecision Plan(RemediationSettings settings, RemediationRequestBook book, DateTimeOffset now) =>
        new RemediationPlanner(settings, TimeProvider.System).Evaluate(new RemediationInput(now, book.Open(now, out _), Nodes()));

    private static Dictionary<string, string> Labels(string action) =>
        new(StringComparer.Ordinal) { ["alertname"] = "KubeletWedged", ["bramble_action"] = action, ["node"] = "pi-1", ["severity"] = "critical" };

    private static AlertmanagerWebhookAlert Alert(Dictionary<string, string> labels, string fingerprint) =>
        new("firing", labels, new Dictionary<string, string> { ["summary"] = "kubelet wedged" }, T0.AddMinutes(-1), null,
            "http://prometheus:9090/graph?g0.expr=up", fingerprint);
}
