using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Bench.Ingest;

/// <summary>
/// Builds the report a healthy Raspberry Pi node sends every interval: four probe outcomes and its vitals, about
/// 150 bytes on the wire. Each agent reuses one instance and only advances seq, observed_at and the counters,
/// as the serialized bytes are all that leave the process.
/// </summary>
internal static class ReportFactory
{
    private const ulong GiB = 1024UL * 1024 * 1024;

    public static Report Create(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var report = new Report
        {
            ObservedAt = new Timestamp(),
            Agent = new AgentStats(),
            Vitals = new NodeVitals
            {
                Load1 = Math.Round(0.2 + (random.NextDouble() * 1.5), 2),
                Load5 = Math.Round(0.3 + (random.NextDouble() * 1.2), 2),
                Load15 = Math.Round(0.4 + random.NextDouble(), 2),
                MemoryTotalBytes = 8 * GiB,
                MemoryAvailableBytes = (ulong)((3 + (random.NextDouble() * 3)) * GiB),
                UptimeSeconds = 86_400 * (1 + random.Next(30)),
                CpuTemperatureCelsius = Math.Round(42 + (random.NextDouble() * 15), 1),
                ThrottledFlags = 0,
                RootReadOnly = false,
                ClockSynchronized = true,
                ClockMaxError = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(16 + random.Next(200))),
            },
        };
        report.Probes.Add(Probe("nfs", ProbeStatus.NothingToProbe, 0.2, random));
        report.Probes.Add(Probe("vip", ProbeStatus.Ok, 250, random));
        report.Probes.Add(Probe("kubelet", ProbeStatus.Ok, 12, random));
        report.Probes.Add(Probe("vitals", ProbeStatus.Ok, 1.5, random));
        return report;
    }

    /// <summary>Readies <paramref name="report"/> for sending as <paramref name="seq"/>.</summary>
    public static void Advance(Report report, ulong seq, DateTimeOffset now, uint outboxDepth)
    {
        ArgumentNullException.ThrowIfNull(report);
        report.Seq = seq;
        report.ObservedAt.Seconds = now.ToUnixTimeSeconds();
        report.ObservedAt.Nanos = (int)(now.UtcTicks % TimeSpan.TicksPerSecond * 100);
        report.Agent.OutboxDepth = outboxDepth;
        report.Vitals.UptimeSeconds += 0.01;
    }

    private static ProbeOutcome Probe(string name, ProbeStatus status, double typicalMilliseconds, Random random) => new()
    {
        Probe = name,
        Status = status,
        Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(typicalMilliseconds * (0.8 + (random.NextDouble() * 0.4)))),
    };
}
