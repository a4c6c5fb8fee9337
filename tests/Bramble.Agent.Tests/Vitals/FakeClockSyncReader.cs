using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Tests.Vitals;

/// <summary>Returns a fixed clock state (null: "cannot tell").</summary>
internal sealed class FakeClockSyncReader(ClockSyncState? state) : IClockSyncReader
{
    public ClockSyncState? Read() => state;
}
