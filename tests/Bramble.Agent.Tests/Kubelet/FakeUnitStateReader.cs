using Bramble.Agent.Linux.Systemd;
using Bramble.Agent.Probes.Kubelet;

namespace Bramble.Agent.Tests.Kubelet;

/// <summary>systemd as the test sets it up: units by name; <see cref="SystemdAvailable"/> false answers null (no systemd).</summary>
internal sealed class FakeUnitStateReader : IUnitStateReader
{
    private readonly Dictionary<string, UnitState> _units = new(StringComparer.Ordinal);

    public bool SystemdAvailable { get; set; } = true;

    public List<string> Asked { get; } = [];

    public FakeUnitStateReader With(UnitState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _units[state.Unit] = state;
        return this;
    }

    public Task<UnitState?> ReadAsync(string unit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Asked.Add(unit);
        if (!SystemdAvailable)
        {
            return Task.FromResult<UnitState?>(null);
        }

        return Task.FromResult<UnitState?>(_units.GetValueOrDefault(unit) ?? new UnitState(unit, "not-found", "inactive", "dead", 0, null));
    }
}
