using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Bench.Detection;

/// <summary>
/// Injects one lane's fault repeatedly: wait until neither stack holds anything for it, wait a random 0–15 s (so the
/// injection falls anywhere in the probe, scrape and evaluation cycles), inject, poll Bramble's API and Alertmanager
/// every 200 ms until both stacks' alerts arrived or the deadline passed, recover. Bounded in count and time.
/// </summary>
public sealed class InjectionRunner(IFaultLane lane, AggregatorProcess aggregator, AlertmanagerServer alertmanager, TimeSpan deadline, TextWriter log)
{
    private static readonly TimeSpan QuietDeadline = TimeSpan.FromMinutes(5);

    public async Task<IReadOnlyList<Injection>> RunAsync(int count)
    {
        var results = new List<Injection>();
        // A fault can also appear by itself (keepalived on a machine at load 90 misses adverts: a real, unprovoked split
        // brain); an injection that starts while one is open would measure nothing. Such rounds are skipped, bounded.
        for (int number = 1, attempts = 0; number <= count && attempts < 3 * count; attempts++)
        {
            await WaitQuietAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 15_000)));
            if (await OpenOrHeldAsync() > 0)
            {
                Log($"{lane.Fault}: appeared by itself before injection #{number}; skipped");
                continue;
            }

            var before = (await aggregator.IncidentsAsync(Query)).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
            var load1 = Load1();
            var injectedAt = TimeProvider.System.GetUtcNow();
            await lane.InjectAsync();
            var injection = await ObserveAsync(number, injectedAt, load1, before);
            await lane.RecoverAsync();
            results.Add(injection);
            Log($"{lane.Fault} #{number} (load {load1:F2}): Bramble firing {Format(injection.BrambleFiring)}, "
                + $"Bramble at Alertmanager {Format(injection.BrambleAtAlertmanager)}, peer at Alertmanager {Format(injection.PeerAtAlertmanager)}");
            number++;
        }

        return results;
    }

    private string Query => lane.SubjectNode is { } node ? $"?kind={lane.BrambleKind}&node={node}" : $"?kind={lane.BrambleKind}";

    private async Task<Injection> ObserveAsync(int number, DateTimeOffset injectedAt, double load1, HashSet<string> before)
    {
        TimeSpan? firing = null;
        TimeSpan? brambleAlert = null;
        TimeSpan? peerAlert = null;
        var until = injectedAt + deadline;
        while (TimeProvider.System.GetUtcNow() < until)
        {
            try
            {
                if (firing is null)
                {
                    var fired = (await aggregator.IncidentsAsync(Query)).FirstOrDefault(i => !before.Contains(i.Id) && i.FiringAt is not null);
                    firing = fired?.FiringAt - injectedAt;
                }

                // Only posts taken after the injection count.
                var held = (await alertmanager.ActiveAlertsAsync()).Where(a => a.UpdatedAt >= injectedAt).ToList();
                brambleAlert ??= held.FirstOrDefault(a => IsBrambleAlert(a))?.UpdatedAt - injectedAt;
                if (lane.PeerAlert is { } name)
                {
                    peerAlert ??= held.FirstOrDefault(a => a.Name == name)?.UpdatedAt - injectedAt;
                }
            }
            catch (HttpRequestException e)
            {
                Log($"{lane.Fault}: poll failed: {e.Message}");
            }

            if (firing is not null && brambleAlert is not null && (peerAlert is not null || lane.PeerAlert is null))
            {
                break;
            }

            await Task.Delay(200);
        }

        return new Injection(lane.Fault, number, injectedAt, load1, firing, brambleAlert, peerAlert);
    }

    // Nothing open in Bramble for this fault and nothing active at Alertmanager from either stack.
    private Task<int> WaitQuietAsync() =>
        Eventually.WaitAsync(OpenOrHeldAsync, n => n == 0, QuietDeadline, $"{lane.Fault}: both stacks quiet before the next injection");

    private async Task<int> OpenOrHeldAsync()
    {
        var open = (await aggregator.IncidentsAsync(Query + "&state=open")).Count;
        var held = (await alertmanager.ActiveAlertsAsync()).Count(a => IsBrambleAlert(a) || a.Name == lane.PeerAlert);
        return open + held;
    }

    private bool IsBrambleAlert(HeldAlert alert) => alert.Name == lane.BrambleKind && (lane.SubjectNode is null || alert.Node == lane.SubjectNode);

    private static double Load1() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    public static string Format(TimeSpan? delay) =>
        delay is { } d ? d.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s" : "none";

    private void Log(string line)
    {
        lock (log)
        {
            log.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss} {line}");
            log.Flush();
        }
    }
}
