using System.Globalization;
using System.Text;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Bench.Detection;

/// <summary>
/// The peer stack's Prometheus, configured as tightly as is sane (scrape and evaluate every 15 s, 10 s scrape
/// timeout, `for: 1m` on every alert), scraping what the lanes name and posting to the shared Alertmanager.
/// </summary>
public static class PeerPrometheus
{
    public static async Task<PrometheusServer> StartAsync(IReadOnlyList<IFaultLane> lanes, AlertmanagerServer alertmanager)
    {
        var prometheus = new PrometheusServer();
        var rules = new StringBuilder("groups:\n  - name: peer\n    rules:\n");
        foreach (var lane in lanes.Where(l => l.AlertRules.Length > 0))
        {
            rules.AppendLine(lane.AlertRules);
        }

        await File.WriteAllTextAsync(Path.Combine(prometheus.Directory, "rules.yml"), rules.ToString());
        var config = new StringBuilder($"""
            global:
              scrape_interval: 15s
              scrape_timeout: 10s
              evaluation_interval: 15s
            rule_files: ['rules.yml']
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['127.0.0.1:{alertmanager.Port.ToString(CultureInfo.InvariantCulture)}']
            scrape_configs:

            """);
        foreach (var lane in lanes.Where(l => l.ScrapeConfigs.Length > 0))
        {
            config.AppendLine(lane.ScrapeConfigs);
        }

        await prometheus.StartAsync(config.ToString());
        return prometheus;
    }
}
