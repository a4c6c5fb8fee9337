using Bramble.Agent.Linux.Systemd;
using Bramble.Agent.Probes.Kubelet;

namespace Bramble.Agent.Tests.Kubelet;

/// <summary>systemd as the test sets it up: units by name; <see cref="SystemdAvailable"/> false answers null (no systemd).</summary>
internal sealed class FakeUnitStateReader : IUnitStateReader
{
    private readonly Dictionary<string, UnitState> _units = new(StringComparer.Ordinal);

    public bool SystemdAvailable { get; set; } = true;

    public List<string> Asked { get; } = [];

    /// <summary>The timeout each call was given.</summary>
    public List<TimeSpan> Timeouts { get; } = [];

    /// <summary>Runs before each answer (a test advances its fake clock here, as a slow systemctl would).</summary>
    public Action? OnRead { get; set; }

    public FakeUnitStateReader With(UnitState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _units[state.Unit] = state;
        return this;
    }

    public Task<UnitState?> ReadAsync(string unit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Asked.Add(unit);
        Timeouts.Add(timeout);
        OnRead?.Invoke();
        if (!SystemdAvailable)
        {
            return Task.FromResult<UnitState?>(null);
        }

        return Task.FromResult<UnitState?>(_units.GetValueOrDefault(unit) ?? new UnitState(unit, "not-found", "inactive", "dead", 0, null));
    }
}
