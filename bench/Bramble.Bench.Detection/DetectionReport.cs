using System.Globalization;
using System.Text;

namespace Bramble.Bench.Detection;

/// <summary>The markdown body of the detection section: a summary row per fault, the goals, every injection.</summary>
public static class DetectionReport
{
    public static string Render(IReadOnlyList<IFaultLane> lanes, IReadOnlyList<Injection> injections, IReadOnlyList<string> failures, TimeSpan deadline)
    {
        var text = new StringBuilder();
        text.AppendLine("| fault | injections | Bramble incident firing, median / max s | Bramble alert at Alertmanager, median / max s | peer alert at Alertmanager, median / max s | peer ÷ Bramble (median at Alertmanager) | load1 at injections (min–max) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var lane in lanes)
        {
            var mine = injections.Where(i => i.Fault == lane.Fault).ToList();
            if (mine.Count == 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {lane.Fault} | 0 | – | – | – | – | – |");
                continue;
            }

            var bramble = Median(mine.Select(i => i.BrambleAtAlertmanager));
            var peer = Median(mine.Select(i => i.PeerAtAlertmanager));
            var ratio = lane.PeerAlert is null ? "no peer signal"
                : bramble is { } b && peer is { } p && b > TimeSpan.Zero ? (p / b).ToString("F1", CultureInfo.InvariantCulture) + "×" : "–";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {lane.Fault} | {mine.Count} | {Stats(mine.Select(i => i.BrambleFiring))} | {Stats(mine.Select(i => i.BrambleAtAlertmanager))} | "
                + $"{(lane.PeerAlert is null ? "no signal" : Stats(mine.Select(i => i.PeerAtAlertmanager)))} | {ratio} | "
                + $"{mine.Min(i => i.Load1).ToString("F1", CultureInfo.InvariantCulture)}–{mine.Max(i => i.Load1).ToString("F1", CultureInfo.InvariantCulture)} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"\"none\" means not within {deadline.TotalSeconds:F0} s of the injection; a median or maximum over injections where one is missing is shown as \"–\".");
        text.AppendLine();
        text.AppendLine("Goals (issue 14):");
        text.AppendLine();
        foreach (var goal in Goals(lanes, injections))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {goal}");
        }

        text.AppendLine();
        text.AppendLine("What each stack alerts on:");
        text.AppendLine();
        foreach (var lane in lanes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{lane.Fault}** — Bramble: `{lane.BrambleKind}`{(lane.SubjectNode is { } node ? $" on node `{node}`" : string.Empty)}. {lane.BrambleSignal} Peer stack: {lane.PeerSignal}");
        }

        if (failures.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Lanes that stopped early:");
            text.AppendLine();
            foreach (var failure in failures)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {failure}");
            }
        }

        text.AppendLine();
        text.AppendLine("Every injection (delays from the injection; UTC):");
        text.AppendLine();
        text.AppendLine("| fault | # | injected at | load1 | Bramble firing s | Bramble at Alertmanager s | peer at Alertmanager s |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|");
        foreach (var i in injections.OrderBy(i => i.Fault, StringComparer.Ordinal).ThenBy(i => i.Number))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {i.Fault} | {i.Number} | {i.InjectedAt:HH:mm:ss} | {i.Load1:F2} | {Seconds(i.BrambleFiring)} | {Seconds(i.BrambleAtAlertmanager)} | {Seconds(i.PeerAtAlertmanager)} |");
        }

        return text.ToString();
    }

    /// <summary>Each goal of the issue that these runs can judge, marked reached or not, with the figure that decides it.</summary>
    private static IEnumerable<string> Goals(IReadOnlyList<IFaultLane> lanes, IReadOnlyList<Injection> injections)
    {
        static string Verdict(bool reached) => reached ? "reached" : "**not reached**";

        var hung = injections.Where(i => i.Fault == "NFS mount hung").ToList();
        if (hung.Count > 0)
        {
            var max = hung.Max(i => i.BrambleFiring);
            // The shipped probe deadline (5 s) plus one probe interval (5 s).
            yield return $"Hung NFS detected within the probe deadline plus one interval (10 s): {Verdict(max is { } m && m <= TimeSpan.FromSeconds(10))} — max {Seconds(max)} s over {hung.Count}.";
        }

        var split = injections.Where(i => i.Fault == "VIP split brain").ToList();
        if (split.Count > 0)
        {
            var within = split.Count(i => i.BrambleFiring is { } f && f <= TimeSpan.FromSeconds(2));
            yield return $"Split brain within 2 s: {Verdict(within == split.Count)} — {within} of {split.Count} injections within 2 s, median {Seconds(Median(split.Select(i => i.BrambleFiring)))} s, max {Seconds(split.Max(i => i.BrambleFiring))} s{(split.Any(i => i.BrambleFiring is null) ? " (none: some injection had no firing)" : string.Empty)} (an ARP round every 5 s, and one at once on a gratuitous ARP from a new MAC).";
        }

        var delivery = injections.Where(i => i.BrambleFiring is not null && i.BrambleAtAlertmanager is not null)
            .Select(i => i.BrambleAtAlertmanager!.Value - i.BrambleFiring!.Value).ToList();
        if (delivery.Count > 0)
        {
            yield return $"Alert at Alertmanager within 1 s of the incident: {Verdict(delivery.Max() <= TimeSpan.FromSeconds(1))} — firing transition to Alertmanager's receipt, max {delivery.Max().TotalMilliseconds:F0} ms over {delivery.Count} incidents (the benchmark's 200 ms polling does not enter: receipt is Alertmanager's own updatedAt).";
        }

        foreach (var lane in lanes.Where(l => l.PeerAlert is not null))
        {
            var mine = injections.Where(i => i.Fault == lane.Fault).ToList();
            var bramble = Median(mine.Select(i => i.BrambleAtAlertmanager));
            var peer = Median(mine.Select(i => i.PeerAtAlertmanager));
            if (bramble is { } b && peer is { } p && b > TimeSpan.Zero)
            {
                yield return $"At least 10× faster than the Prometheus stack, {lane.Fault}: {Verdict(p / b >= 10)} — {p / b:F1}× (medians at Alertmanager {Seconds(b)} s and {Seconds(p)} s).";
            }
        }
    }

    public static TimeSpan? Median(IEnumerable<TimeSpan?> delays)
    {
        var list = delays.ToList();
        if (list.Count == 0 || list.Any(d => d is null))
        {
            return null;
        }

        var sorted = list.Select(d => d!.Value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Stats(IEnumerable<TimeSpan?> delays)
    {
        var list = delays.ToList();
        // Any injection without the figure: no median or maximum (the per-injection table shows which).
        return list.Any(d => d is null) ? "– / –" : $"{Seconds(Median(list))} / {Seconds(list.Max())}";
    }

    private static string Seconds(TimeSpan? delay) =>
        delay is { } d ? d.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "none";
}
