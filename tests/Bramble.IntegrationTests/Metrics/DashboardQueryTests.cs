using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Ingest;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.IntegrationTests.Metrics;

/// <summary>
/// The shipped dashboard and rules against a real Prometheus on loopback that scrapes a running aggregator, fed by a
/// real agent (whose kubelet stand-in stops answering, so KubeletDown fires and a dry-run remediation finishes) and by a Pi-shaped
/// node over a raw stream (NFS with ops and probe steps, NAS ping, a VIP, kubelet certificates, firmware vitals,
/// pressure; its kubelet down as well, and its plan refused by a guard), plus one refused message. Every PromQL expression in the dashboard and the rules must parse; every
/// dashboard query must return data, except those that read VIP owner metrics this aggregator does not export yet.
/// </summary>
public sealed partial class DashboardQueryTests
{
    private const string Cluster = "bt-lab";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task DashboardAndRules_AgainstRealPrometheus_EveryExpressionParsesAndEveryPanelHasData()
    {
        Assert.SkipUnless(File.Exists(PrometheusServer.Binary), "prometheus is not installed (Debian package prometheus; ./test.sh installs it as root)");
        using var aggregator = new AggregatorProcess(null,
        [
            "--Rules:EvaluationInterval=00:00:00.2",
            "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:00:01",
            "--Remediation:MaxUnhealthyShare=1",
            "--Remediation:Settle=00:00:01",
        ]);
        await aggregator.StartAsync();
        var kubeletPort = FreePort.Next();
        var kubelet = new FixedPortHealthzServer(kubeletPort);
        using var agent = AgentProcess.Start("obs-agent", aggregator.GrpcUrl,
        [
            $"--Kubelet:HealthzUrl=http://127.0.0.1:{kubeletPort.ToString(CultureInfo.InvariantCulture)}/healthz",
            "--Kubelet:Timeout=00:00:00.5",
            "--Agent:ProbeInterval=00:00:01",
            "--Agent:ReportInterval=00:00:01",
            "--Remediation:Units:0=kubelet",
        ]);
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            // The kubelet is seen healthy first (a node with no kubelet at all has nothing to probe), then it dies.
            await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_kubelet_healthz_ok{node=\"obs-agent\"}"), v => v == 1, Patience, "obs-agent's kubelet seen healthy");
        }
        finally
        {
            kubelet.Dispose();
        }

        using var pi = new RawAgent(aggregator.GrpcUrl);
        await pi.HelloAsync("obs-pi");
        await RefusedMessageAsync(aggregator);

        using var prometheus = new PrometheusServer();
        var rules = Path.Combine(prometheus.Directory, "bramble.rules.yml");
        // The shipped 30 s group interval, shortened so the recording rules have values within the test.
        var cancel = TestContext.Current.CancellationToken;
        await File.WriteAllTextAsync(rules, (await File.ReadAllTextAsync(RulesFile, cancel)).Replace("interval: 30s", "interval: 1s", StringComparison.Ordinal), cancel);
        await prometheus.StartAsync($$"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files: ["{{rules}}"]
            scrape_configs:
              - job_name: bramble
                static_configs:
                  - targets: ["127.0.0.1:{{aggregator.HttpPort.ToString(CultureInfo.InvariantCulture)}}"]
                    labels: { cluster: {{Cluster}} }
            """);

        // Pi reports a second apart for a while, so counters rise across several scrapes and rates have two samples.
        var dashboard = Queries(await File.ReadAllTextAsync(DashboardFile, cancel));
        var ruleExpressions = RuleExpression().Matches(await File.ReadAllTextAsync(RulesFile, cancel)).Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.True(dashboard.Count >= 30, $"only {dashboard.Count} queries found in the dashboard");
        Assert.True(ruleExpressions.Count >= 30, $"only {ruleExpressions.Count} expressions found in the rules");

        var results = new Dictionary<string, (bool Parsed, int Series, string Error)>();
        var exported = new HashSet<string>();
        ulong seq = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < 200 && clock.Elapsed < Patience; round++)
        {
            seq++;
            await pi.SendAsync(new AgentMessage { Report = PiReport(seq) });
            await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            if (seq < 8)
            {
                continue;
            }

            exported = ExportedFamilies(await aggregator.GetTextAsync("/metrics"));
            foreach (var (_, expr) in dashboard)
            {
                results[expr] = await EvaluateAsync(prometheus, Substitute(expr));
            }

            if (dashboard.All(q => results[q.Expr].Series > 0))
            {
                break;
            }
        }

        foreach (var expr in ruleExpressions)
        {
            results[expr] = await EvaluateAsync(prometheus, expr);
        }

        var output = TestContext.Current.TestOutputHelper;
        foreach (var (title, expr) in dashboard)
        {
            output?.WriteLine($"{results[expr].Series,3} series  {title}: {expr}");
        }

        var problems = new List<string>();
        problems.AddRange(results.Where(r => !r.Value.Parsed).Select(r => $"does not evaluate: {r.Key}: {r.Value.Error}"));
        problems.AddRange(dashboard.Where(q => results[q.Expr].Parsed && results[q.Expr].Series == 0)
            .Select(q => $"no data: panel '{q.Title}': {q.Expr}"));
        problems.AddRange(UnknownMetrics(dashboard.Select(q => q.Expr).Concat(ruleExpressions), exported));
        problems.AddRange(await RuleHealthProblemsAsync(prometheus));
        Assert.True(problems.Count == 0, string.Join('\n', problems) + "\n\nprometheus:\n" + prometheus.Output);
    }

    [Fact]
    public void Substitute_GrafanaVariables_LeavesPlainPromQl()
    {
        Assert.Equal("rate(x{cluster=~\"bt-lab\", node=~\".*\"}[1m]) + increase(y[1h]) + z[15s]",
            Substitute("rate(x{cluster=~\"$cluster\", node=~\"$node\"}[$__rate_interval]) + increase(y[$__range]) + z[$__interval]"));
        Assert.Throws<InvalidOperationException>(() => Substitute("x{a=\"$unknown\"}"));
    }

    [Fact]
    public void UnknownMetrics_MisspeltFamilyOrRecordingRule_IsNamed()
    {
        HashSet<string> exported = ["bramble_nfs_op_rtt_seconds", "bramble_nfs_probe_step_duration_seconds"];

        var unknown = UnknownMetrics(
        [
            "bramble_nfs_op_rtt_seconds{node=~\".*\"} > 0",
            "histogram_quantile(0.9, sum by (le) (rate(bramble_nfs_probe_step_duration_seconds_bucket[1m])))",
            "cluster:bramble_agents:count",
            "bramble_nfs_op_rtt_second{node=\"a\"}",
            "cluster:bramble_agent:count",
        ], exported).ToList();

        Assert.Equal(["names no exported or recorded metric: bramble_nfs_op_rtt_second", "names no exported or recorded metric: cluster:bramble_agent:count"], unknown);
    }

    private static string RulesFile => Path.Combine(RepoLayout.Root, "deploy", "prometheus", "bramble.rules.yml");

    private static string DashboardFile => Path.Combine(RepoLayout.Root, "deploy", "grafana", "bramble-cluster.json");

    /// <summary>Every panel target's expr (rows' nested panels included) and every query variable's metric selector.</summary>
    private static List<(string Title, string Expr)> Queries(string json)
    {
        using var document = JsonDocument.Parse(json);
        var found = new List<(string, string)>();
        void Walk(JsonElement panels)
        {
            foreach (var panel in panels.EnumerateArray())
            {
                var title = panel.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
                if (panel.TryGetProperty("targets", out var targets))
                {
                    found.AddRange(targets.EnumerateArray().Where(x => x.TryGetProperty("expr", out _)).Select(x => (title, x.GetProperty("expr").GetString()!)));
                }

                if (panel.TryGetProperty("panels", out var nested))
                {
                    Walk(nested);
                }
            }
        }

        Walk(document.RootElement.GetProperty("panels"));
        foreach (var variable in document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                // label_values(selector, label) is Grafana's; the selector inside it is PromQL and must find series.
                var match = LabelValues().Match(variable.GetProperty("definition").GetString()!);
                Assert.True(match.Success, $"variable {variable.GetProperty("name")} is not label_values(selector, label)");
                found.Add(($"variable {variable.GetProperty("name").GetString()}", match.Groups[1].Value));
            }
        }

        return found;
    }

    /// <summary>Grafana's variables, as the dashboard would send them with cluster bt-lab and every node selected.</summary>
    internal static string Substitute(string expr)
    {
        var plain = expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$__interval", "15s", StringComparison.Ordinal)
            .Replace("$__range", "1h", StringComparison.Ordinal).Replace("$cluster", Cluster, StringComparison.Ordinal).Replace("$node", ".*", StringComparison.Ordinal);
        return plain.Contains('$', StringComparison.Ordinal) ? throw new InvalidOperationException($"an unknown variable is left in {plain}") : plain;
    }

    private static async Task<(bool Parsed, int Series, string Error)> EvaluateAsync(PrometheusServer prometheus, string promql)
    {
        using var body = await prometheus.QueryAsync(promql);
        var root = body.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            return (false, 0, root.TryGetProperty("error", out var e) ? e.GetString() ?? "" : root.ToString());
        }

        var data = root.GetProperty("data");
        var series = data.GetProperty("resultType").GetString() is "vector" or "matrix" ? data.GetProperty("result").GetArrayLength() : 1;
        return (true, series, "");
    }


    /// <summary>Metric names in expressions that are neither exported nor recorded by the rules: typos.</summary>
    internal static IEnumerable<string> UnknownMetrics(IEnumerable<string> expressions, HashSet<string> exported)
    {
        var recorded = RecordName().Matches(File.ReadAllText(RulesFile)).Select(m => m.Groups[1].Value).ToHashSet();
        return expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value))
            .Where(n => n.StartsWith("bramble_", StringComparison.Ordinal) || n.Contains(':', StringComparison.Ordinal))
            .Select(n => Regex.Replace(n, "_(bucket|sum|count)$", ""))
            .Distinct()
            .Where(n => !exported.Contains(n) && !recorded.Contains(n))
            .Select(n => $"names no exported or recorded metric: {n}");
    }

    private static async Task<IEnumerable<string>> RuleHealthProblemsAsync(PrometheusServer prometheus)
    {
        using var body = await prometheus.GetJsonAsync("/api/v1/rules");
        var rules = body.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        var problems = rules.Where(r => r.GetProperty("health").GetString() != "ok")
            .Select(r => $"rule {r.GetProperty("name").GetString()} health {r.GetProperty("health").GetString()}: {(r.TryGetProperty("lastError", out var e) ? e.GetString() : "")}").ToList();
        if (rules.Count < 30)
        {
            problems.Add($"Prometheus loaded only {rules.Count} rules");
        }

        return problems;
    }

    private static HashSet<string> ExportedFamilies(string exposition) =>
        [.. TypeLine().Matches(exposition).Select(m => m.Groups[1].Value)];

    private static async Task RefusedMessageAsync(AggregatorProcess aggregator)
    {
        using var rogue = new RawAgent(aggregator.GrpcUrl);
        await rogue.HelloAsync("obs-rogue");
        var spoofed = RawAgent.ReportNumbered(1);
        spoofed.NodeName = "obs-agent";
        await rogue.SendAsync(new AgentMessage { Report = spoofed });
        Assert.Equal(AggregatorMessage.BodyOneofCase.Reject, (await rogue.NextAsync()).BodyCase);
    }

    /// <summary>What an agent on a Pi with an NFS mount, a VIP and a kubelet reports; counters grow with seq.</summary>
    private static Report PiReport(ulong seq)
    {
        var report = RawAgent.ReportNumbered(seq);
        report.NodeName = "obs-pi";
        report.ObservedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero).AddSeconds(seq));
        report.NfsMounts.Add(new NfsMount
        {
            MountPoint = "/mnt/nas",
            Source = "192.0.2.10:/volume1/k8s",
            Server = "192.0.2.10",
            FsType = "nfs",
            State = NfsMountState.Ok,
            ProbeLatency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(12)),
            ServerReachable = true,
            ServerRtt = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(0.4)),
            StuckPids = { 4711 },
            Ops =
            {
                new NfsOpStats { Op = "WRITE", Operations = 100 * seq, Transmissions = 101 * seq, RttMilliseconds = 500 * seq, ExecuteMilliseconds = 600 * seq },
                new NfsOpStats { Op = "READ", Operations = 50 * seq, Transmissions = 50 * seq, RttMilliseconds = 100 * seq, ExecuteMilliseconds = 120 * seq },
            },
            ProbeSteps =
            {
                new NfsProbeStep { Step = "write", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(2 + (seq % 3))) },
                new NfsProbeStep { Step = "fsync", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(8 + (seq % 3))) },
            },
        });
        report.Vips.Add(new VipObservation
        {
            Address = "192.0.2.100",
            Interface = "eth0",
            AssignedLocally = true,
            Window = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(500)),
            // The owner moves from one MAC to another after a few reports: a failover for the owner, owner-change and
            // failover-duration panels (timed on the wire clock, hence probed_at from the real clock).
            ProbedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
            Responders = { new ArpResponder { Mac = seq < 5 ? "dc:a6:32:00:00:01" : "dc:a6:32:00:00:02", FirstReplyLatency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(2)) } },
        });
        // Its kubelet is down too: a raw stream has no command allow-list, so that plan is refused by a guard
        // (bramble_remediation_suppressed_total), while the real agent's dry run finishes (bramble_remediations_total).
        report.Kubelet = new KubeletStatus
        {
            Healthz = HealthzResult.Refused,
            Unit = "k3s",
            ActiveState = "active",
            Restarts = 2,
            RuntimeOk = true,
            ClientCertNotAfter = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero)),
            ServingCertNotAfter = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero)),
        };
        report.Vitals = new NodeVitals
        {
            MemoryTotalBytes = 8_000_000_000,
            MemoryAvailableBytes = 6_000_000_000,
            UptimeSeconds = 86_400 + seq,
            CpuTemperatureCelsius = 52.5,
            ThrottledFlags = 0,
            ClockSynchronized = true,
            ClockMaxError = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(4)),
            ClockEstimatedError = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(0.2)),
            RootSizeBytes = 31_000_000_000,
            RootAvailableBytes = 12_000_000_000,
            RootDeviceWrittenBytes = 1_000_000 * seq,
            CpuPressure = new Pressure { Some = new PressureLine { Total = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(30 * seq)) } },
            IoPressure = new Pressure
            {
                Some = new PressureLine { Total = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(50 * seq)) },
                Full = new PressureLine { Total = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(20 * seq)) },
            },
            StateStorage = new StateStorage { Path = "/var/lib/rancher", FsyncLatency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(9)) },
        };
        return report;
    }

    [GeneratedRegex(@"^\s+expr: (.+)$", RegexOptions.Multiline)]
    private static partial Regex RuleExpression();

    [GeneratedRegex(@"^\s+- record: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex RecordName();

    [GeneratedRegex(@"^label_values\((.+),\s*\w+\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^# TYPE (\S+) \S+$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{\[)]|\s*$|\s*[-+*/<>=!])")]
    private static partial Regex MetricName();
}
