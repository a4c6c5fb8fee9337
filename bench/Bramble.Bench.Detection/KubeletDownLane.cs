using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Bench.Detection;

/// <summary>
/// A dead kubelet: <see cref="KubeletStandIn"/> closed (connections refused) and started again on the same port.
/// Bramble's agent probes its /healthz (default: every 5 s, 2 s timeout; KubeletDown For 30 s); Prometheus scrapes its
/// /metrics every 15 s, as kube-prometheus scrapes the kubelet.
/// </summary>
public sealed class KubeletDownLane : IFaultLane
{
    private readonly int _port = FreePort.Next();
    private KubeletStandIn? _kubelet;
    private ManagedProcess? _agent;

    public string Fault => "kubelet down";

    public string BrambleKind => "KubeletDown";

    public string? SubjectNode => "bench-kubelet";

    public IReadOnlyList<string> AgentNodes => ["bench-kubelet"];

    public string BrambleSignal =>
        "The agent's healthz call is refused (every 5 s), reported at once; KubeletDown's For of 30 s (it rides out a kubelet restart) is most of the delay.";

    public string? PeerAlert => "PeerKubeletDown";

    public string PeerSignal =>
        "node_exporter has no kubelet metric. Prometheus scrapes the kubelet's own /metrics and alerts on the scrape failing, as kube-prometheus's "
        + "KubeletDown does (there `absent(up{job=\"kubelet\"} == 1)` for 15m); here tightened to `up{job=\"kubelet\"} == 0` for 1m.";

    public string ScrapeConfigs => $"""
          - job_name: kubelet
            static_configs:
              - targets: ['127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}']
        """;

    public string AlertRules => """
              - alert: PeerKubeletDown
                expr: up{job="kubelet"} == 0
                for: 1m
        """;

    public async Task StartAsync(string aggregatorGrpcUrl)
    {
        _kubelet = new KubeletStandIn(_port);
        _agent = AgentProcess.Start(AgentNodes[0], aggregatorGrpcUrl,
            [$"--Kubelet:HealthzUrl=http://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}/healthz", .. AgentDefaults.Intervals],
            new Dictionary<string, string>());
        await AgentProcess.WaitConnectedAsync(_agent);
    }

    public Task InjectAsync()
    {
        _kubelet!.Dispose();
        return Task.CompletedTask;
    }

    public Task RecoverAsync()
    {
        _kubelet = new KubeletStandIn(_port);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _agent?.Dispose();
        _kubelet?.Dispose();
    }
}
