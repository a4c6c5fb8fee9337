using Bramble.Agent.Linux.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>Finds the unit that runs the kubelet: the configured one, else the first of kubelet, k3s, k3s-agent that exists.</summary>
public sealed class KubeletUnitLocator
{
    private readonly IUnitStateReader _reader;
    private readonly KubeletOptions _options;
    private readonly TimeProvider _time;

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
        var started = _time.GetTimestamp();
        var anyAnswer = false;
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
                return new KubeletUnitLookup(state, Known: true);
            }

            anyAnswer |= state is not null;
        }

        return new KubeletUnitLookup(null, Known: anyAnswer);
    }
}
