using Bramble.Aggregator.Api;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.StatusPage;
using Bramble.Engine.Nodes;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests;

public sealed class DoctorSectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NodeDoctorView_MapsStatusesRunbooksAndDaysLeftOnTheAggregatorClock()
    {
        var view = NodeDoctorView.From(Entry(), Now)!;
        Assert.Equal("pi-1", view.Node);
        Assert.Equal(["fail", "ok", "not_applicable"], view.Findings.Select(f => f.Status));
        Assert.Equal("docs/runbooks/vip-interface.md", view.Findings[0].Runbook);
        Assert.Equal(20, Assert.Single(view.Certificates).DaysLeft);
    }

    [Fact]
    public void NodeDoctorView_NoSummaryYet_Null()
    {
        Assert.Null(NodeDoctorView.From(new NodeEntry(new NodeLedger("pi-2", Now)), Now));
    }

    [Fact]
    public void Render_ShowsProblemsAndCertificatesEndingSoonOnly()
    {
        var page = StatusPageEndpoint.Render([], [], Now, doctor: [NodeDoctorView.From(Entry(), Now)!]);
        Assert.Contains("Preflight (doctor)", page, StringComparison.Ordinal);
        Assert.Contains("wlan0 is Wi-Fi and not promiscuous", page, StringComparison.Ordinal);
        Assert.DoesNotContain("no swap", page, StringComparison.Ordinal);
        Assert.Contains("serving-kube-apiserver.crt", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoDoctorSummaries_NoSection()
    {
        Assert.DoesNotContain("Preflight", StatusPageEndpoint.Render([], [], Now), StringComparison.Ordinal);
    }

    private static NodeEntry Entry()
    {
        var summary = new DoctorSummary { CheckedAt = Timestamp.FromDateTimeOffset(Now.AddMinutes(-5)) };
        summary.Findings.Add(new DoctorFinding { Check = "vip-interface", Status = DoctorStatus.Fail, Evidence = "wlan0 is Wi-Fi and not promiscuous", Fix = "wire it" });
        summary.Findings.Add(new DoctorFinding { Check = "swap", Status = DoctorStatus.Ok, Evidence = "no swap" });
        summary.Findings.Add(new DoctorFinding { Check = "time-sync-ordering", Status = DoctorStatus.NotApplicable, Evidence = "no k3s unit" });
        summary.Certificates.Add(new CertificateDate
        {
            Path = "/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt",
            Subject = "CN=kube-apiserver",
            NotAfter = Timestamp.FromDateTimeOffset(Now.AddDays(20).AddHours(1)),
            Status = DoctorStatus.Warn,
        });
        return new NodeEntry(new NodeLedger("pi-1", Now)) { LatestDoctor = summary };
    }
}
