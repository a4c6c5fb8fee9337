using System.Text;
using System.Text.Json;
using Bramble.Aggregator.Alerts;

namespace Bramble.Aggregator.Tests.Alerts;

public sealed class WebhookPayloadTests
{
    private static readonly AlertLinks Links = new("pi-cluster", "http://bramble.lan:9730", "");

    [Fact]
    public void Build_Escalation_CarriesIdEventIncidentEvidenceAndRemediation()
    {
        var incident = AlertmanagerPayloadTests.Incident();
        var message = new AlertMessage(7, "phone", "inc-42:escalated:1", AlertEvents.Escalated, incident.FiringAt!.Value, incident,
            new AlertRemediation("plan-1", "remount", "failed", "remount failed twice"), 0, null);

        using var json = JsonDocument.Parse(WebhookPayload.Build(message, Links));
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("inc-42:escalated:1", root.GetProperty("id").GetString());
        Assert.Equal("escalated", root.GetProperty("event").GetString());
        Assert.Equal("pi-cluster", root.GetProperty("cluster").GetString());
        Assert.Equal("NfsMountHung", root.GetProperty("incident").GetProperty("kind").GetString());
        Assert.Equal("critical", root.GetProperty("incident").GetProperty("severity").GetString());
        Assert.Equal("pi-2", root.GetProperty("incident").GetProperty("subject").GetProperty("node").GetString());
        Assert.Equal("http://bramble.lan:9730/api/v1/incidents/inc-42", root.GetProperty("incident").GetProperty("url").GetString());
        Assert.Equal("hung", root.GetProperty("evidence").GetProperty("state").GetString());
        Assert.Equal("remount", root.GetProperty("remediation").GetProperty("action").GetString());
    }

    [Fact]
    public void Sign_MatchesPythonHmac()
    {
        // python3 -c 'import hmac,hashlib; print(hmac.new(b"0123456789abcdef0123", b"1700000000.{\"a\":1}", hashlib.sha256).hexdigest())'
        var signature = WebhookSignature.Sign(Encoding.UTF8.GetBytes("0123456789abcdef0123"), "1700000000", Encoding.UTF8.GetBytes("{\"a\":1}"));

        Assert.Equal("sha256=34e41bd41c08899dd901e050eca2824e8dfecfe16d4778add8a6f330817db525", signature);
    }

    [Fact]
    public void Timestamp_IsUnixSeconds()
    {
        Assert.Equal("1700000000", WebhookSignature.Timestamp(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
    }
}
