using Bramble.Agent.Linux.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>
/// Finds the unit that runs the kubelet: the configured one, else the first of kubelet, k3s, k3s-agent that exists.
/// Each question is a systemctl process, so it remembers: the unit found last is asked first (one process a round on
/// a node), and when systemd has none of the candidates it asks again only after <see cref="NoUnitRecheck"/> (a node
/// without a kubelet started three processes every round, most of the agent's CPU at the default interval).
/// </summary>
public sealed class KubeletUnitLocator
{
    /// <summary>How long "no such unit" for every candidate stands before they are asked again (k3s may be installed).</summary>
    public static readonly TimeSpan NoUnitRecheck = TimeSpan.FromMinutes(1);

    private readonly IUnitStateReader _reader;
    private readonly KubeletOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private string? _found;
    private long? _noneSince;

    public KubeletUnitLocator(IUnitStateReader reader, IOptions<KubeletOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reader = reader;
        _options = options.Value;
        _time = time;
    }

    /// <summary>
    /// The unit's state; <see cref="KubeletUnitLookup.Unknown"/> when systemd cannot be asked. All candidates share one
    /// Kubelet:Timeout, so a wedged systemctl cannot stretch the lookup past the probe's deadline.
    /// </summary>
    public async Task<KubeletUnitLookup> FindAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> candidates = _options.Unit.Length > 0 ? [_options.Unit] : KubeletOptions.DefaultUnits;
        string? found;
        lock (_gate)
        {
            if (_noneSince is { } since && _time.GetElapsedTime(since) < NoUnitRecheck)
            {
                return new KubeletUnitLookup(null, Known: true);
            }

            found = _found;
        }

        if (found is not null && candidates.Contains(found, StringComparer.Ordinal))
        {
            candidates = [found, .. candidates.Where(c => !string.Equals(c, found, StringComparison.Ordinal))];
        }

        var started = _time.GetTimestamp();
        var answers = 0;
        foreach (var unit in candidates)
        {
            var remaining = _options.Timeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            var state = await _reader.ReadAsync(unit, remaining, cancellationToken);
            if (state is { Exists: true })
            {
                Remember(unit, noneSince: null);
                return new KubeletUnitLookup(state, Known: true);
            }

            answers += state is null ? 0 : 1;
        }

        // Only a full round of "no such unit" is remembered; a timeout or a missing systemd is asked again next round.
        Remember(null, answers == candidates.Count ? started : null);
        return new KubeletUnitLookup(null, Known: answers > 0);
    }

    private void Remember(string? found, long? noneSince)
    {
        lock (_gate)
        {
            _found = found;
            _noneSince = noneSince;
        }
    }
}
