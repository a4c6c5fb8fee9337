namespace Bramble.Agent.Commands;

/// <summary>
/// What this node lets the aggregator do to it (section "Remediation"). Everything is empty or off by default: the
/// aggregator is not yet authenticated to its agents, and which units and mounts are safe to touch differs per node,
/// so a node acts only on what its owner listed here.
/// </summary>
public sealed class RemediationOptions
{
    public const string Section = "Remediation";

    /// <summary>systemd units that may be restarted, e.g. "kubelet" or "k3s-agent.service".</summary>
    public IList<string> Units { get; } = [];

    /// <summary>NFS mounts that may be lazily unmounted and mounted again, with what to mount them from.</summary>
    public IList<RemediationMountOptions> Mounts { get; } = [];

    /// <summary>Hook name → absolute path of an executable; it gets the command as JSON on standard input.</summary>
    public IDictionary<string, string> Hooks { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>VIPs (with their interface) this node may announce by gratuitous ARP.</summary>
    public IList<RemediationVipOptions> GratuitousArp { get; } = [];

    /// <summary>Frames in one gratuitous-ARP burst.</summary>
    public int GratuitousArpCount { get; set; } = 3;

    /// <summary>Time between two frames of a burst.</summary>
    public TimeSpan GratuitousArpInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether the node may be rebooted (after lazily unmounting its NFS mounts, a forced reboot).</summary>
    public bool Reboot { get; set; }

    /// <summary>Deadline of a command that carries none.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest deadline a command may ask for; a command asking for more is refused.</summary>
    public TimeSpan MaxDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Commands waiting behind the one running; more are refused.</summary>
    public int QueueCapacity { get; set; } = 8;

    /// <summary>How many recent command ids (and their results) are remembered, so a re-delivered one runs once.</summary>
    public int RememberedCommands { get; set; } = 256;

    /// <summary>Where the recent command ids are kept across restarts when nothing else is said (nor $STATE_DIRECTORY).</summary>
    public const string DefaultStateDirectory = "/var/lib/bramble-agent";

    /// <summary>
    /// Directory of the command journal (recent command ids and results, so a re-delivered command runs once even across
    /// an agent restart). Empty: systemd's $STATE_DIRECTORY (StateDirectory=), else <see cref="DefaultStateDirectory"/>.
    /// </summary>
    public string StateDirectory { get; set; } = string.Empty;

    /// <summary>True when at least one action is allowed (only then the agent offers to execute commands).</summary>
    public bool AllowsAnything =>
        Units.Count > 0 || Mounts.Count > 0 || Hooks.Count > 0 || GratuitousArp.Count > 0 || Reboot;
}
