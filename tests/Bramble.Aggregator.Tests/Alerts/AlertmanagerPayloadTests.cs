using System.Text.Json;
using Bramble.Aggregator.Alerts;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;

namespace Bramble.Aggregator.Tests.Alerts;

public sealed class AlertmanagerPayloadTests
{
    private static readonly AlertLinks Links = new("pi-cluster", "http://bramble.lan:9730/", "https://runbooks.example/");
    private static readonly DateTimeOffset Started = DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    internal static IncidentRecord Incident(IncidentState state = IncidentState.Firing) => new(
        "inc-42", "NfsMountHung", new Subject("pi-2", "/mnt/media", null, "nas.lan"), Severity.Critical, state,
        Started, Started.AddSeconds(30), state == IncidentState.Resolved ? Started.AddMinutes(5) : null, Started.AddMinutes(5),
        null, "/mnt/media on pi-2 hangs", new Dictionary<string, string> { ["probeLatency"] = "no answer in 5 s", ["state"] = "hung" });

    [Fact]
    public void Build_Firing_LabelsAnnotationsStartAndLink_NoEndsAt()
    {
        using var json = JsonDocument.Parse(AlertmanagerPayload.Build(Incident(), resolved: false, Links));

        var alert = Assert.Single(json.RootElement.EnumerateArray().ToArray());
        var labels = alert.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["alertname"] = "NfsMountHung",
            ["severity"] = "critical",
            ["cluster"] = "pi-cluster",
            ["node"] = "pi-2",
            ["mount"] = "/mnt/media",
            ["server"] = "nas.lan",
        }, labels);
        var annotations = alert.GetProperty("annotations");
        Assert.Equal("/mnt/media on pi-2 hangs", annotations.GetProperty("summary").GetString());
        Assert.Equal("/mnt/media on pi-2 hangs\nprobeLatency=no answer in 5 s\nstate=hung", annotations.GetProperty("description").GetString());
        Assert.Equal("https://runbooks.example/NfsMountHung", annotations.GetProperty("runbook_url").GetString());
        Assert.Equal("2026-11-26T10:00:30.000Z", alert.GetProperty("startsAt").GetString());
        Assert.Equal("http://bramble.lan:9730/api/v1/incidents/inc-42", alert.GetProperty("generatorURL").GetString());
        Assert.False(alert.TryGetProperty("endsAt", out _));
    }

    [Fact]
    public void Build_Resolved_EndsAtTheResolution()
    {
        using var json = JsonDocument.Parse(AlertmanagerPayload.Build(Incident(IncidentState.Resolved), resolved: true, Links));

        Assert.Equal("2026-11-26T10:05:00.000Z", json.RootElement[0].GetProperty("endsAt").GetString());
    }

    [Fact]
    public void Build_NoRunbookBase_LinksTheRunbookTheAggregatorServes()
    {
        using var json = JsonDocument.Parse(AlertmanagerPayload.Build(Incident(), resolved: false, Links with { RunbookBaseUrl = "" }));

        Assert.Equal("http://bramble.lan:9730/runbooks/BrambleNfsMountHung", json.RootElement[0].GetProperty("annotations").GetProperty("runbook_url").GetString());
    }
}
