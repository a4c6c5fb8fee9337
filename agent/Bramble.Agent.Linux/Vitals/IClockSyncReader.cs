namespace Bramble.Agent.Linux.Vitals;

/// <summary>Reads the clock's synchronisation state; tests substitute a fake.</summary>
public interface IClockSyncReader
{
    /// <summary>The state, or null when this platform cannot tell (not Linux, the call failed).</summary>
    ClockSyncState? Read();
}
