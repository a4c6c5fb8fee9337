namespace Bramble.Agent.Doctor;

/// <summary>The periodic doctor run in the agent (section "Doctor"); `bramble-agent doctor` runs once regardless.</summary>
public sealed class DoctorOptions
{
    public const string Section = "Doctor";

    /// <summary>Least time between two runs of every check (they read a few hundred small files and the kernel log).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the unchanged result is sent again, so a restarted aggregator learns it without waiting a whole Interval.</summary>
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromMinutes(10);
}
