using System.Globalization;
using System.Text;

namespace Bramble.Bench.Ingest;

/// <summary>What one run measured, and how it is written into bench/RESULTS.md.</summary>
internal sealed record BenchResult(
    int Agents,
    int ConnectedAgents,
    int Window,
    double MeasuredSeconds,
    ulong AckedInMeasuredPhase,
    ulong SentInMeasuredPhase,
    ulong AckMessagesInMeasuredPhase,
    int ReportBytes,
    double AckP50Milliseconds,
    double AckP99Milliseconds,
    double AckP999Milliseconds,
    double AckMaxMilliseconds,
    double? AggregatorCores,
    double? AggregatorRssMiB,
    double? AggregatorPeakRssMiB,
    double? AggregatorIdleRssMiB,
    double Rate,
    double GeneratorCores,
    double GeneratorPeakRssMiB,
    double OtherProcessesCores,
    double BusyCoresBeforeRun,
    int AggregatorLogWarnings,
    int AggregatorLogErrors,
    string AggregatorLogByEvent,
    double RulePasses,
    double? RulePassMeanMilliseconds,
    double? RulePassP99BoundMilliseconds,
    IReadOnlyList<string> Problems)
{
    public double ReportsPerSecond => MeasuredSeconds > 0 ? AckedInMeasuredPhase / MeasuredSeconds : 0;

    /// <summary>How well the aggregator coalesces acks: reports each ack message covered on average.</summary>
    public double ReportsPerAck => AckMessagesInMeasuredPhase > 0 ? (double)AckedInMeasuredPhase / AckMessagesInMeasuredPhase : 0;

    /// <summary>Aggregator memory per connected agent: VmRSS at the end of the measured phase minus before any connected.</summary>
    public double? RssPerAgentKiB => AggregatorRssMiB is { } end && AggregatorIdleRssMiB is { } idle && ConnectedAgents > 0
        ? (end - idle) * 1024 / ConnectedAgents
        : null;

    /// <summary>Aggregator CPU per connected agent, in % of one core.</summary>
    public double? CpuPerAgentPercent => AggregatorCores is { } cores && ConnectedAgents > 0 ? cores * 100 / ConnectedAgents : null;

    /// <summary>
    /// agents | reports/s | ack p50 ms | ack p99 ms | rule pass mean ms (p99 ≤) | aggregator CPU (cores) | aggregator CPU per agent (% of a core)
    /// | aggregator RSS MB (peak) | load generator CPU (cores)
    /// | aggregator RSS per connected agent KiB | other processes CPU (cores): the last column says how much of the shared machine the run did not have.
    /// </summary>
    public string MarkdownRow()
    {
        var agents = ConnectedAgents == Agents
            ? Agents.ToString("N0", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Agents:N0} (only {ConnectedAgents:N0} connected)");
        return string.Create(CultureInfo.InvariantCulture,
            $"| {agents} | {ReportsPerSecond:N0} | {AckP50Milliseconds:F1} | {AckP99Milliseconds:F1} | {RulePass()} | {Optional(AggregatorCores, "F2")} | {Optional(CpuPerAgentPercent, "F4")} | {Optional(AggregatorPeakRssMiB, "F0")} | {GeneratorCores:F2} | {Optional(RssPerAgentKiB, "F1")} | {OtherProcessesCores:F2} |");
    }

    /// <summary>The figures behind the row that the table has no column for, and the correctness verdict.</summary>
    public string Notes()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"- **{Agents:N0} agents**, window {Window}, {(Rate > 0 ? Rate.ToString("G", CultureInfo.InvariantCulture) + " report/s each" : "as fast as the window allows")}: {AckedInMeasuredPhase:N0} reports acknowledged in {MeasuredSeconds:F2} s ")
            .Append(CultureInfo.InvariantCulture,
            $"({SentInMeasuredPhase:N0} sent) with {AckMessagesInMeasuredPhase:N0} ack messages ({ReportsPerAck:F1} reports per ack); ")
            .Append(CultureInfo.InvariantCulture,
            $"CPU per report: aggregator {Optional(AggregatorCores * 1e6 / ReportsPerSecond, "F1")} µs, load generator {GeneratorCores * 1e6 / ReportsPerSecond:F1} µs; ")
            .Append(CultureInfo.InvariantCulture,
            $"rule-engine passes in the measured phase {RulePasses:F0} (mean {Optional(RulePassMeanMilliseconds, "F2")} ms, 99 % within {Optional(RulePassP99BoundMilliseconds, "G")} ms); ")
            .Append(CultureInfo.InvariantCulture,
            $"report message {ReportBytes} bytes; ack p99.9 {AckP999Milliseconds:F1} ms, max {AckMaxMilliseconds:F1} ms; ")
            .Append(CultureInfo.InvariantCulture,
            $"aggregator VmRSS before any agent connected {Optional(AggregatorIdleRssMiB, "F0")} MiB, at the end of the measured phase {Optional(AggregatorRssMiB, "F0")} MiB; load generator VmHWM {GeneratorPeakRssMiB:F0} MiB; ")
            .Append(CultureInfo.InvariantCulture, $"aggregator log: {AggregatorLogWarnings} warning(s), {AggregatorLogErrors} error(s){(AggregatorLogByEvent.Length > 0 ? " (" + AggregatorLogByEvent + ")" : string.Empty)}; ")
            .Append(CultureInfo.InvariantCulture, $"other processes used {Optional(double.IsNaN(BusyCoresBeforeRun) ? null : BusyCoresBeforeRun, "F2")} cores just before the run. ");
        if (Problems.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Correctness: all {ConnectedAgents:N0} nodes in /api/v1/nodes have seqGaps 0, lastSeq ≥ their acknowledged seq and the boot id they said Hello with.");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"**Correctness: {Problems.Count} problem(s)**, e.g. ")
                .AppendJoin("; ", Problems.Take(5))
                .Append('.');
        }

        return text.ToString();
    }

    private string RulePass() => RulePassMeanMilliseconds is { } mean
        ? string.Create(CultureInfo.InvariantCulture, $"{mean:F2} (≤ {Optional(RulePassP99BoundMilliseconds, "G")})")
        : "n/a";

    private static string Optional(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
