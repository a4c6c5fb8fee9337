using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Routing;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// Asks the network who holds each watched VIP (every MAC that answers within the window), whether the VIP is
/// assigned here, the gratuitous ARPs heard for it, frames misdelivered to this node, and whether its ports answer.
/// Observes, never judges: split brain and dark VIPs are the aggregator's call, from every node's view.
/// </summary>
public sealed class VipProbe : IProbe
{
    private readonly VipOptions _options;
    private readonly ArpProber _prober;
    private readonly PortChecker _ports;
    private readonly GratuitousArpLog _gratuitous;
    private readonly MisdeliveredFrames _misdelivered;
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly VipAnnouncements _announcements;
    private (long At, ProbeResult Result)? _last;

    public VipProbe(
        IOptions<VipOptions> options,
        ArpProber prober,
        PortChecker ports,
        GratuitousArpLog gratuitous,
        MisdeliveredFrames misdelivered,
        IFileSystem fileSystem,
        HostPaths paths,
        TimeProvider time,
        VipAnnouncements announcements)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _prober = prober;
        _ports = ports;
        _gratuitous = gratuitous;
        _misdelivered = misdelivered;
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
        _announcements = announcements;
    }

    public const string ProbeName = "vip";

    public string Name => ProbeName;

    public Capability Capability => Capability.ProbeVip;

    // The window and the port checks run side by side; the margin covers opening sockets and reading procfs.
    public TimeSpan? Timeout => Max(_options.Window, _options.PortTimeout) + TimeSpan.FromSeconds(1);

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_options.Watch.Count == 0)
        {
            return ProbeResult.NothingToProbe("no VIPs configured (Vip:Watch)");
        }

        // A new announcer heard on the wire asks the wire now, whatever the interval.
        var requested = _announcements.TakeRoundRequest();
        if (!requested && _options.Interval is { } interval && _last is { } last && _time.GetElapsedTime(last.At) < interval)
        {
            return last.Result;
        }

        var result = await ObserveAsync(cancellationToken);
        _last = (_time.GetTimestamp(), result);
        return result;
    }

    private async Task<ProbeResult> ObserveAsync(CancellationToken cancellationToken)
    {
        var targets = VipTargets.Resolve(_options, _fileSystem, _paths);
        var local = LocalIpv4Addresses.Read(_fileSystem, _paths);
        var neighbours = NeighbourTable.Read(_fileSystem, _paths);
        var problems = new List<string>();
        foreach (var unrouted in targets.Where(t => t.Interface is null))
        {
            problems.Add($"{unrouted.Address}: no route to it and no Interface configured");
        }

        var rounds = targets
            .Where(t => t.Interface is not null)
            .GroupBy(t => t.Interface!, StringComparer.Ordinal)
            .Select(g => AskAsync(g.Key, g.Select(t => t.Address).ToArray(), cancellationToken))
            .ToArray();
        var portChecks = targets
            .SelectMany(t => t.Ports.Select(p => (t.Address, Task: _ports.CheckAsync(t.Address, p, _options.PortTimeout, cancellationToken))))
            .ToArray();
        var answered = await Task.WhenAll(rounds);
        await Task.WhenAll(portChecks.Select(c => c.Task));

        var missingCapability = answered.FirstOrDefault(a => a.MissingCapability);
        if (missingCapability is not null)
        {
            return ProbeResult.Error(missingCapability.Problem!);
        }

        problems.AddRange(answered.Where(a => a.Problem is not null).Select(a => a.Problem!));
        var responders = answered.SelectMany(a => a.Responders).ToDictionary(kv => kv.Key, kv => kv.Value);
        var observations = new List<VipObservation>();

        // A VIP that could not be asked about (no route, interface gone) is left out rather than reported with zero
        // responders, which would read as "dark" to the aggregator; the detail says why.
        foreach (var target in targets.Where(t => responders.ContainsKey(t.Address)))
        {
            var observation = new VipObservation
            {
                Address = target.Address.ToString(),
                Interface = target.Interface ?? string.Empty,
                Mode = target.Mode,
                AssignedLocally = local.Contains(target.Address),
                Window = Duration.FromTimeSpan(_options.Window),
                NeighbourMac = neighbours.GetValueOrDefault(target.Address) ?? string.Empty,
            };
            if (AnnouncerTraitsReader.Read(_fileSystem, _paths, target.Interface!) is { } traits)
            {
                observation.InterfaceWireless = traits.Wireless;
                observation.InterfacePromiscuous = traits.Promiscuous;
                observation.ArpIgnore = traits.ArpIgnore;
                observation.ArpAnnounce = traits.ArpAnnounce;
                observation.KubeIpvs0Present = traits.KubeIpvs0Present;
            }

            var answers = responders[target.Address];
            _announcements.Answered(target.Address, answers.Responders.Select(r => r.Mac));
            observation.ProbedAt = Timestamp.FromDateTimeOffset(answers.ProbedAt);
            foreach (var tally in answers.Responders)
            {
                observation.Responders.Add(new ArpResponder
                {
                    Mac = tally.Mac,
                    FirstReplyLatency = Duration.FromTimeSpan(tally.FirstReplyLatency),
                    Replies = tally.Replies,
                });
            }

            observation.Ports.AddRange(portChecks.Where(c => c.Address.Equals(target.Address)).Select(c => c.Task.Result));
            observations.Add(observation);
        }

        var detail = string.Join("; ", problems);
        if (observations.Count == 0)
        {
            return ProbeResult.Error(detail);
        }

        return new ProbeResult(ProbeStatus.Ok, detail, Fingerprint(observations), report => report.Vips.AddRange(observations.Select(WithWireRecords)));
    }

    /// <summary>
    /// Runs when a report is made, not when the probe ran: the gratuitous ARPs heard since the previous report go
    /// into this one (each into exactly one report), and the misdelivery count is as of now.
    /// </summary>
    private VipObservation WithWireRecords(VipObservation observation)
    {
        var copy = observation.Clone();
        var vip = IPAddress.Parse(copy.Address);
        copy.GratuitousArps.AddRange(_gratuitous.TakePending(vip).Select(s => new GratuitousArp
        {
            HeardAt = Timestamp.FromDateTimeOffset(s.At),
            Mac = s.Mac,
        }));
        if (_gratuitous.Last(vip) is { } sighting)
        {
            copy.LastGratuitousArpAt = Timestamp.FromDateTimeOffset(sighting.At);
            copy.LastGratuitousArpMac = sighting.Mac;
        }

        if (_misdelivered.Read(vip) is { } tally)
        {
            copy.MisdeliveredFramesTotal = tally.Total;
            copy.LastMisdeliveredAt = Timestamp.FromDateTimeOffset(tally.LastAt);
            copy.LastMisdeliveredSourceMac = tally.LastSourceMac;
        }

        return copy;
    }

    private async Task<RoundOutcome> AskAsync(string interfaceName, IReadOnlyCollection<IPAddress> vips, CancellationToken cancellationToken)
    {
        try
        {
            return new RoundOutcome(await _prober.AskAsync(interfaceName, vips, _options.Window, cancellationToken), null, false);
        }
        catch (ArpChannelUnavailableException e)
        {
            return new RoundOutcome(new Dictionary<IPAddress, ArpAnswers>(), e.Message, e.MissingCapability);
        }
        catch (SocketException e)
        {
            // The interface went down or away mid-round: this round saw nothing there; the next one reopens.
            return new RoundOutcome(new Dictionary<IPAddress, ArpAnswers>(), $"{interfaceName}: {e.SocketErrorCode}", false);
        }
    }

    /// <summary>Who answers for which VIP, whether it is local, this node's neighbour entry and port states: a change is reported at once.</summary>
    private static string Fingerprint(IEnumerable<VipObservation> observations) =>
        string.Join(' ', observations.Select(o =>
            $"{o.Address}={string.Join(',', o.Responders.Select(r => r.Mac).Order(StringComparer.Ordinal))}"
            + (o.AssignedLocally ? ";local" : string.Empty)
            + (o.NeighbourMac.Length > 0 ? $";neighbour={o.NeighbourMac}" : string.Empty)
            + string.Concat(o.Ports.Select(p => $";{p.Port}:{(p.Open ? "open" : "closed")}"))));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed record RoundOutcome(
        IReadOnlyDictionary<IPAddress, ArpAnswers> Responders, string? Problem, bool MissingCapability);
}
