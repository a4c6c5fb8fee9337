using System.Diagnostics;
using System.Globalization;
using Bramble.Engine.Cluster;
using Bramble.Engine.Correlation;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Agents;
using Bramble.Engine.Rules.Nfs;
using Bramble.Engine.Rules.Node;
using Bramble.Engine.Rules.Vip;

namespace Bramble.Bench.Rules;

/// <summary>
/// Times full rule passes (every registered rule, correlation, incident lifecycle) over N nodes that each report an
/// NFS mount, a watched VIP, a kubelet and vitals; a share of them is silent so that findings and incident updates are
/// part of every pass. Prints one Markdown table row per node count.
/// </summary>
public static class RulePassBenchmark
{
    public static int Run(string[] args)
    {
        var nodeCounts = Option(args, "--nodes", "100,1000,5000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        var passes = int.Parse(Option(args, "--passes", "2000"), CultureInfo.InvariantCulture);
        var silentShare = double.Parse(Option(args, "--silent-share", "0.1"), CultureInfo.InvariantCulture);

        Console.WriteLine("| nodes | silent | passes | median ms | p99 ms | max ms | allocated per pass KB |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var count in nodeCounts)
        {
            var (median, p99, max, allocatedKb, silent) = Measure(count, passes, silentShare);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {count:N0} | {silent:N0} | {passes:N0} | {median:F3} | {p99:F3} | {max:F3} | {allocatedKb:F0} |"));
        }

        return 0;
    }

    private static (double Median, double P99, double Max, double AllocatedKb, int Silent) Measure(int nodeCount, int passes, double silentShare)
    {
        var start = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        // Every rule the aggregator registers, with its default settings.
        var engine = new RuleEngine(
            [
                new AgentSilentRule(new AgentSilentSettings()), new AgentRestartedRule(new AgentRestartedSettings()),
                new NfsMountHungRule(new RuleSettings()), new NfsStaleHandleRule(new RuleSettings()), new NfsSlowRule(new NfsSlowSettings()),
                new NfsOptionDriftRule(new RuleSettings()), new NfsRetransmittingRule(new NfsRetransmittingSettings()),
                new VipSplitBrainRule(new RuleSettings()), new VipDarkRule(new RuleSettings()), new VipStaleNeighbourRule(new RuleSettings()),
                new VipAnnouncerMisconfiguredRule(new RuleSettings()),
                new KubeletDownRule(new KubeletDownSettings()), new KubeletCrashLoopRule(new KubeletCrashLoopSettings()),
                new ContainerRuntimeDownRule(new KubeletDownSettings()), new CertificateExpiringRule(new CertificateExpiringSettings()),
                new NodeThrottledRule(new RuleSettings()), new UnderVoltageRule(new RuleSettings()), new NodeOverheatingRule(new NodeOverheatingSettings()),
                new RootFsReadOnlyRule(new RuleSettings()), new ClockSkewRule(new ClockSkewSettings()), new MemoryPressureRule(new MemoryPressureSettings()),
                new DiskLowRule(new DiskLowSettings()), new StorageSlowRule(new StorageSlowSettings()), new NodeAddressChangedRule(new RuleSettings()),
            ],
            [new NetworkPartitionRule(new NetworkPartitionSettings()), new NasUnreachableRule(new NasUnreachableSettings())]);
        var mount = new NfsMountView("/mnt/nas", "192.0.2.10", NfsHealth.Ok, TimeSpan.FromMilliseconds(8), string.Empty, 0, [], true,
            TimeSpan.FromMilliseconds(1), 100, 0, 0, 0);
        var vitals = new VitalsView(55, 0, false, true, TimeSpan.FromMilliseconds(20), 0.5, 1_000_000_000, 4_000_000_000)
        {
            RootSizeBytes = 31_267_487_744,
            RootAvailableBytes = 18_000_000_000,
            StateStorage = new StateStorageView("/var/lib/rancher", TimeSpan.FromMilliseconds(25), string.Empty),
            Addresses = ["192.0.2.41", "2001:db8::29"],
            KubernetesAddresses = ["192.0.2.41"],
            KubernetesAddressesSource = "kubelet serving certificate /var/lib/rancher/k3s/agent/serving-kubelet.crt",
        };
        var kubelet = new KubeletView(KubeletHealth.Ok, string.Empty, "k3s", "active", 0, RuntimeHealth.Ok, "/run/k3s/containerd/containerd.sock",
            start.AddDays(200), start.AddDays(200));
        var clock = new PassClock(start.AddMinutes(5));
        var tracker = new IncidentTracker(engine.Settings, [], start, TimeSpan.Zero, clock);
        var silentCount = (int)(nodeCount * silentShare);
        var interval = TimeSpan.FromSeconds(10);
        var samples = new double[passes];
        long allocated = 0;

        for (var pass = -200; pass < passes; pass++)
        {
            // One second per pass, as the aggregator runs it; healthy nodes reported within the interval,
            // silent ones stopped a minute ago, and every 50th node rebooted recently.
            var now = start.AddMinutes(5).AddSeconds(pass + 200);
            clock.Now = now;
            var nodes = new NodeState[nodeCount];
            for (var i = 0; i < nodeCount; i++)
            {
                var last = i < silentCount ? start.AddMinutes(4) : now.AddSeconds(-(i % 10));
                var mac = $"02:00:00:{i >> 16 & 0xff:x2}:{i >> 8 & 0xff:x2}:{i & 0xff:x2}";
                nodes[i] = new NodeState($"node-{i:D5}", i >= silentCount, last, last, interval, "boot", i % 50 == 0 ? now.AddMinutes(-1) : null, null)
                {
                    NfsMounts = [mount],
                    Vips = [new VipView("192.0.2.100", "eth0", ["02:00:00:00:00:00"], i == 0, "02:00:00:00:00:00", false, false, 0, 0, false)],
                    Macs = [mac],
                    Kubelet = kubelet,
                    Vitals = vitals,
                };
            }

            var snapshot = new ClusterSnapshot(now, start, nodes);
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var began = Stopwatch.GetTimestamp();
            tracker.Apply(engine.Evaluate(snapshot), now);
            var elapsed = Stopwatch.GetElapsedTime(began);
            if (pass >= 0)
            {
                samples[pass] = elapsed.TotalMilliseconds;
                allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            }
        }

        Array.Sort(samples);
        return (samples[passes / 2], samples[(int)(passes * 0.99)], samples[^1], allocated / (double)passes / 1024, silentCount);
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }
}
