namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// The gratuitous ARPs heard for one VIP since the last report, oldest first, at most <see cref="Capacity"/>.
/// Announcers repeat themselves (keepalived sends 5 at once and 5 more after 5 s, about 10 a second during a split
/// brain), so when the buffer is full a repeat inside a run of one MAC goes first: the first and the last sighting
/// of every run stay, so each change of announcer and each announcer's last word survive a flood. Only when every
/// entry starts or ends a run does the oldest go. Not thread-safe; <see cref="GratuitousArpLog"/> locks around it.
/// </summary>
public sealed class GratuitousArpBuffer
{
    /// <summary>The contract's bound: VipObservation.gratuitous_arps holds at most 32.</summary>
    public const int Capacity = 32;

    private readonly List<GratuitousArpSighting> _sightings = new(Capacity);

    public int Count => _sightings.Count;

    /// <summary>Sightings left out since the last <see cref="Take"/> to stay within the bound.</summary>
    public int Dropped { get; private set; }

    public void Add(GratuitousArpSighting sighting)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        if (_sightings.Count == Capacity)
        {
            _sightings.RemoveAt(IndexToDrop());
            Dropped++;
        }

        _sightings.Add(sighting);
    }

    /// <summary>Everything held, oldest first; empties the buffer.</summary>
    public IReadOnlyList<GratuitousArpSighting> Take()
    {
        var taken = _sightings.ToArray();
        _sightings.Clear();
        Dropped = 0;
        return taken;
    }

    private int IndexToDrop()
    {
        // The newest entry is about to stop being a run's end, so it is not a candidate either way.
        for (var i = 1; i < _sightings.Count - 1; i++)
        {
            var mac = _sightings[i].Mac;
            if (string.Equals(mac, _sightings[i - 1].Mac, StringComparison.Ordinal)
                && string.Equals(mac, _sightings[i + 1].Mac, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return 0;
    }
}
