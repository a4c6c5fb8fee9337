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
        for (var number = 1; number <= count; number++)
        {
            await WaitQuietAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 15_000)));
            var before = (await aggregator.IncidentsAsync(Query)).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
            var load1 = Load1();
            var injectedAt = TimeProvider.System.GetUtcNow();
            await lane.InjectAsync();
            var injection = await ObserveAsync(number, injectedAt, load1, before);
            await lane.RecoverAsync();
            results.Add(injection);
            Log($"{lane.Fault} #{number} (load {load1:F2}): Bramble firing {Format(injection.BrambleFiring)}, "
                + $"Bramble at Alertmanager {Format(injection.BrambleAtAlertmanager)}, peer at Alertmanager {Format(injection.PeerAtAlertmanager)}");
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

                var held = await alertmanager.ActiveAlertsAsync();
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
    private async Task WaitQuietAsync()
    {
        await Eventually.WaitAsync(async () =>
        {
            var open = (await aggregator.IncidentsAsync(Query + "&state=open")).Count;
            var held = (await alertmanager.ActiveAlertsAsync()).Count(a => (IsBrambleAlert(a)) || a.Name == lane.PeerAlert);
            return open + held;
        }, n => n == 0, QuietDeadline, $"{lane.Fault}: both stacks quiet before the next injection");
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
