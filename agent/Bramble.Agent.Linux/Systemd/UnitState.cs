namespace Bramble.Agent.Linux.Systemd;

/// <summary>A systemd unit's state as `systemctl show` reports it.</summary>
/// <param name="Unit">The unit name as asked for, e.g. "k3s".</param>
/// <param name="LoadState">"loaded", or "not-found" when no such unit is installed.</param>
/// <param name="ActiveState">"active", "activating", "failed", "inactive", …</param>
/// <param name="SubState">"running", "auto-restart", "dead", …</param>
/// <param name="Restarts">NRestarts: automatic restarts since the unit was last started by hand; rising means a crash loop.</param>
/// <param name="ActiveEnterMonotonic">When the unit last became active, on CLOCK_MONOTONIC; null when it never did.</param>
public sealed record UnitState(string Unit, string LoadState, string ActiveState, string SubState, uint Restarts, TimeSpan? ActiveEnterMonotonic)
{
    /// <summary>The properties <see cref="SystemctlShow.Parse"/> reads, for --property=.</summary>
    public const string Properties = "LoadState,ActiveState,SubState,NRestarts,ActiveEnterTimestampMonotonic";

    /// <summary>systemd knows a unit file by this name (it answers "not-found" for any name it does not).</summary>
    public bool Exists => LoadState is not ("not-found" or "");
}
