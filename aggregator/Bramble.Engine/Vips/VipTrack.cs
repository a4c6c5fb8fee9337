using Bramble.Engine.Cluster;

namespace Bramble.Engine.Vips;

/// <summary>
/// One VIP across every observer. Its owners are the MACs answering in the latest window of each observer that
/// reported recently (plus gratuitous ARPs heard since), so a lagging observer keeps an old owner listed for a moment
/// rather than the count doubling. The owner changes when a MAC joins that set which was not among the last non-empty
/// owners: a dark spell between two owners is one change, a return of the same owner none.
/// </summary>
internal sealed class VipTrack
{
    private readonly Dictionary<string, ObserverTrack> _observers = new(StringComparer.Ordinal);

    public VipTrack(string address) => Address = address;

    public string Address { get; }

    public IReadOnlyCollection<ObserverTrack> Observers => _observers.Values;

    public List<string> Owners { get; private set; } = [];

    private HashSet<string> LastOwners { get; set; } = new(StringComparer.Ordinal);

    public long OwnerChanges { get; private set; }

    public List<DateTimeOffset> ChangedAt { get; } = [];

    public List<FailoverTrack> Failovers { get; } = [];

    private FailoverTrack? Open => Failovers.Count > 0 && !Failovers[^1].Settled ? Failovers[^1] : null;

    /// <summary>Takes one observer's report about this VIP; returns a failover when the owner changed.</summary>
    public FailoverTrack? Observe(string observer, VipView view, DateTimeOffset now, TimeSpan staleAfter, Func<long> nextId, Func<string, string?> nodeOf)
    {
        if (!_observers.TryGetValue(observer, out var obs))
        {
            obs = new ObserverTrack(observer);
            _observers.Add(observer, obs);
        }

        // What this observer contributed to the owners before this report; unchanged, the owners cannot change.
        var counted = obs.WindowAt is not null && !obs.Late && now - obs.ReceivedAt <= staleAfter;
        var before = (Answerers: obs.Answerers, Claims: obs.Claims.Keys.ToHashSet(StringComparer.Ordinal), obs.SelfClaim);
        obs.ReceivedAt = now;
        Misdelivery(obs, view);

        var windowAt = view.ProbedAt ?? now;
        var newWindow = obs.WindowAt is null || windowAt > obs.WindowAt.Value;
        var garps = view.GratuitousArps
            .Where(g => obs.LastGratuitousArpAt is null || g.HeardAt > obs.LastGratuitousArpAt.Value)
            .Select(g => (g.HeardAt, Mac: Mac(g.Mac)))
            .Where(g => g.Mac.Length > 0)
            .OrderBy(g => g.HeardAt)
            .ToArray();
        if (garps.Length > 0)
        {
            obs.LastGratuitousArpAt = garps[^1].HeardAt;
        }

        foreach (var g in garps.Where(g => newWindow && g.HeardAt <= windowAt))
        {
            Heard(obs, g.Mac, g.HeardAt, wire: true);
        }

        if (newWindow)
        {
            var answers = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            var responders = view.Responders.Count > 0
                ? view.Responders
                : view.ResponderMacs.Select(m => new VipResponder(m, null)).ToArray();
            foreach (var r in responders)
            {
                var mac = Mac(r.Mac);
                if (mac.Length > 0)
                {
                    answers.TryAdd(mac, windowAt + (r.FirstReplyLatency ?? TimeSpan.Zero));
                }
            }

            // A node never hears its own reply: holding the VIP is its answer, at the time it looked.
            obs.SelfClaim = null;
            if (view.AssignedLocally && Mac(view.InterfaceMac) is { Length: > 0 } own && answers.TryAdd(own, windowAt))
            {
                obs.SelfClaim = own;
            }

            foreach (var (mac, at) in answers)
            {
                Heard(obs, mac, at, wire: mac != obs.SelfClaim);
            }

            // A MAC missing from a window has stopped answering at this observer: its next answer starts a new run.
            foreach (var mac in obs.FirstHeard.Keys.Where(m => !answers.ContainsKey(m)).ToArray())
            {
                obs.FirstHeard.Remove(mac);
            }

            obs.WindowAt = windowAt;
            obs.Answerers = answers.Keys.ToHashSet(StringComparer.Ordinal);
            obs.Late = now - windowAt > staleAfter;
            obs.Claims.Clear();
        }

        foreach (var g in garps.Where(g => g.HeardAt > obs.WindowAt!.Value))
        {
            Heard(obs, g.Mac, g.HeardAt, wire: true);
            obs.Claims[g.Mac] = g.HeardAt;
        }

        var same = counted && !obs.Late && obs.SelfClaim == before.SelfClaim
            && obs.Answerers.SetEquals(before.Answerers) && before.Claims.SetEquals(obs.Claims.Keys);
        return same ? null : UpdateOwners(now, staleAfter, nextId, nodeOf);
    }

    /// <summary>Drops observers that stopped reporting from the owner set (it can only shrink here).</summary>
    public void Refresh(DateTimeOffset now, TimeSpan staleAfter)
    {
        Owners = CurrentOwners(now, staleAfter);
        if (Owners.Count > 0)
        {
            LastOwners = Owners.ToHashSet(StringComparer.Ordinal);
        }
    }

    private FailoverTrack? UpdateOwners(DateTimeOffset now, TimeSpan staleAfter, Func<long> nextId, Func<string, string?> nodeOf)
    {
        var owners = CurrentOwners(now, staleAfter);
        FailoverTrack? failover = null;
        var added = owners.Where(m => !LastOwners.Contains(m)).ToArray();
        if (LastOwners.Count > 0 && added.Length > 0)
        {
            var gone = LastOwners.Where(m => !owners.Contains(m)).ToArray();
            var from = (gone.Length > 0 ? gone : LastOwners.ToArray())
                .OrderByDescending(LastAnswered).ThenBy(m => m, StringComparer.Ordinal).First();
            var to = added.OrderBy(FirstHeard).ThenBy(m => m, StringComparer.Ordinal).First();
            failover = new FailoverTrack(nextId(), from, nodeOf(from), to, nodeOf(to), now);

            // The old end from the wire; a node's own "I held it" only when nobody heard the old owner answer (a
            // node still holding the VIP behind a dead link would otherwise shorten the gap).
            var wireHeardOld = _observers.Values.Any(o => o.LastAnswered.ContainsKey(from));
            foreach (var obs in _observers.Values)
            {
                if ((wireHeardOld ? obs.LastAnswered : obs.LastHeld).TryGetValue(from, out var lastOld))
                {
                    failover.OldAnswered(obs.Name, lastOld);
                }

                if (obs.FirstHeard.TryGetValue(to, out var firstNew))
                {
                    failover.NewHeard(obs.Name, firstNew);
                }
            }

            OwnerChanges++;
            ChangedAt.Add(now);
            if (ChangedAt.Count > VipOwnerTracker.MaxChangeTimes)
            {
                ChangedAt.RemoveAt(0);
            }

            Failovers.Add(failover);
            if (Failovers.Count > VipOwnerTracker.MaxFailovers)
            {
                Failovers.RemoveAt(0);
            }
        }

        Owners = owners;
        if (owners.Count > 0)
        {
            LastOwners = owners.ToHashSet(StringComparer.Ordinal);
        }

        return failover;
    }

    private List<string> CurrentOwners(DateTimeOffset now, TimeSpan staleAfter)
    {
        var fresh = _observers.Values.Where(o => !o.Late && now - o.ReceivedAt <= staleAfter).ToArray();

        // The wire outranks a node's own word: a VIP still assigned to a node that another observer's latest window did
        // not hear answer (its link is down, say) is not an owner. Latest windows, not arrival order, so that two
        // observers reporting in turn cannot make the owner set flicker.
        bool Disputed(ObserverTrack self) => self.SelfClaim is { } mac && fresh.Any(o =>
            !ReferenceEquals(o, self) && o.WindowAt is not null && !o.Answerers.Contains(mac) && !o.Claims.ContainsKey(mac));

        return fresh
            .SelectMany(o => o.Answerers.Where(m => m != o.SelfClaim || !Disputed(o)).Concat(o.Claims.Keys))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private void Heard(ObserverTrack obs, string mac, DateTimeOffset at, bool wire)
    {
        var continuing = obs.FirstHeard.ContainsKey(mac);
        var lastOf = wire ? obs.LastAnswered : obs.LastHeld;
        if (!lastOf.TryGetValue(mac, out var last) || at > last)
        {
            lastOf[mac] = at;
        }

        if (!obs.FirstHeard.TryGetValue(mac, out var first) || at < first)
        {
            obs.FirstHeard[mac] = at;
        }

        if (Open is { } open)
        {
            // The old owner still answering (its run not broken) moves the old end; a comeback is a new failover.
            if (continuing && wire && mac == open.FromMac)
            {
                open.OldAnswered(obs.Name, at);
            }

            if (mac == open.ToMac)
            {
                open.NewHeard(obs.Name, at);
            }
        }
    }

    private DateTimeOffset LastAnswered(string mac) =>
        _observers.Values.SelectMany(o => new[] { o.LastAnswered, o.LastHeld })
            .Select(d => d.TryGetValue(mac, out var at) ? at : DateTimeOffset.MinValue)
            .DefaultIfEmpty(DateTimeOffset.MinValue)
            .Max();

    private DateTimeOffset FirstHeard(string mac) =>
        _observers.Values.Select(o => o.FirstHeard.TryGetValue(mac, out var at) ? at : DateTimeOffset.MaxValue).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();

    private static void Misdelivery(ObserverTrack obs, VipView view)
    {
        var total = view.MisdeliveredFramesTotal;
        obs.MisdeliveredIncrease = obs.MisdeliveredTotal is { } last
            ? total >= last ? total - last : total // a lower total is a restarted agent counting afresh
            : 0;
        obs.MisdeliveredTotal = total;
        obs.LastMisdeliveredAt = view.LastMisdeliveredAt;
        obs.LastMisdeliveredSourceMac = view.LastMisdeliveredSourceMac;
    }

    internal static string Mac(string mac) => mac.Trim().ToLowerInvariant();
}
