using System.Text.Json;
using Bramble.Engine.Cluster;
using Bramble.Engine.Correlation;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Nfs;
using Bramble.Engine.Rules.Node;
using Bramble.Engine.Rules.Vip;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>
/// A simulated cluster driven second by second on a fake clock through the real rules, the real incident lifecycle
/// and the planner. The simulated agents answer each command with <see cref="AgentAnswer"/>; a successful real
/// command fixes the node when <see cref="CommandFixes"/> says so. Everything the planner audits is kept.
/// </summary>
public sealed class RemediationScenario
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly RuleEngine _rules;
    private readonly Dictionary<string, Sim> _nodes = new(StringComparer.Ordinal);
    private IncidentTracker _tracker;

    public RemediationScenario(RemediationSettings settings, int nodes, TimeSpan? kubeletFor = null)
    {
        Settings = settings;
        for (var i = 1; i <= nodes; i++)
        {
            _nodes[$"pi-{i}"] = new Sim();
        }

        _rules = new RuleEngine(
            [
                new KubeletDownRule(new KubeletDownSettings { For = kubeletFor ?? TimeSpan.FromSeconds(30), ResolveAfter = TimeSpan.Zero }),
                new NfsMountHungRule(new RuleSettings { ResolveAfter = TimeSpan.Zero }),
                new VipSplitBrainRule(new RuleSettings { ResolveAfter = TimeSpan.Zero }),
                new VipStaleNeighbourRule(new RuleSettings { ResolveAfter = TimeSpan.Zero }),
            ],
            [new NasUnreachableRule(new NasUnreachableSettings())]);
        _tracker = new IncidentTracker(_rules.Settings, [], Time.GetUtcNow(), TimeSpan.Zero, Time);
        Planner = new RemediationPlanner(settings, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    public RemediationSettings Settings { get; }

    public RemediationPlanner Planner { get; private set; }

    public List<AuditEntry> Audit { get; } = [];

    public List<PlannedCommand> Sent { get; } = [];

    public List<(string Action, string Outcome)> Outcomes { get; } = [];

    public List<string> Suppressions { get; } = [];

    /// <summary>How the simulated agents answer; null: they never answer.</summary>
    public CommandOutcomeKind? AgentAnswer { get; set; } = CommandOutcomeKind.Succeeded;

    /// <summary>Whether a successful real command cures its node.</summary>
    public bool CommandFixes { get; set; }

    public IReadOnlyList<IncidentRecord> Open => _tracker.Open;

    public IEnumerable<PlannedCommand> RealCommands => Sent.Where(c => !c.DryRun);

    public void KubeletDown(string node, bool down = true) => _nodes[node].KubeletDown = down;

    public void NfsHung(string node, bool hung = true) => _nodes[node].NfsHung = hung;

    /// <summary>The VIP every node watches; nodes hold it with <see cref="HoldVip"/>.</summary>
    public const string Vip = "192.0.2.100";

    public void HoldVip(string node, bool holds = true) => _nodes[node].HoldsVip = holds;

    /// <summary>The node's neighbour table maps the VIP to a MAC that no longer answers.</summary>
    public void StaleNeighbour(string node) => _nodes[node].NeighbourMac = "02:00:00:00:00:ff";

    /// <summary>Pods frozen on the node's hung mount, as its agent reports them ("namespace/name").</summary>
    public void FrozenPods(string node, params string[] pods) => _nodes[node].FrozenPods = pods;

    public static string MacOf(string node) => "02:00:00:00:00:0" + node[^1];

    public void Disconnect(string node) => _nodes[node].Connected = false;

    public void CannotExecute(string node) => _nodes[node].CanExecute = false;

    /// <summary>The node rebooted: a new boot id, and (if <paramref name="fixesKubelet"/>) a kubelet that came up.</summary>
    public void Rebooted(string node, bool fixesKubelet)
    {
        _nodes[node].BootId += "+";
        _nodes[node].KubeletDown &= !fixesKubelet;
    }

    /// <summary>Runs one pass per second for <paramref name="seconds"/> seconds.</summary>
    public void Run(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            Pass();
        }
    }

    public void Pass()
    {
        var now = Time.GetUtcNow();
        var snapshot = new ClusterSnapshot(now, now.AddHours(-1), _nodes.Select(n => NodeState(n.Key, n.Value, now)).ToArray());
        _tracker.Apply(_rules.Evaluate(snapshot), now);
        var facts = _nodes.Select(n => new NodeFacts(n.Key, n.Value.Connected, n.Value.BootId, n.Value.CanExecute)).ToArray();
        var holders = _nodes.Where(n => n.Value.HoldsVip).Select(n => n.Key).Order(StringComparer.Ordinal).ToArray();
        var vipHolders = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (holders.Length > 0)
        {
            vipHolders[Vip] = holders;
        }

        Take(Planner.Evaluate(new RemediationInput(now, _tracker.Open, facts) { VipHolders = vipHolders }));
    }

    /// <summary>The aggregator goes down and comes back: the planner and incidents are rebuilt from what was stored.</summary>
    public void Restart()
    {
        var stored = JsonSerializer.Serialize(Planner.State, Json);
        var storedIncidents = _tracker.Open.ToArray();
        Planner = new RemediationPlanner(Settings, Time, JsonSerializer.Deserialize<RemediationState>(stored, Json));
        _tracker = new IncidentTracker(_rules.Settings, storedIncidents, Time.GetUtcNow(), TimeSpan.Zero, Time);
    }

    /// <summary>A planner restored from state as an older aggregator stored it (JSON).</summary>
    public void RestoreFrom(string stateJson) => Planner = new RemediationPlanner(Settings, Time, JsonSerializer.Deserialize<RemediationState>(stateJson, Json));

    public void Answer(PlannedCommand command, CommandOutcomeKind outcome)
    {
        var decision = new RemediationDecision();
        Planner.CommandFinished(command.Id, command.Node, outcome, "simulated", Time.GetUtcNow(), decision);
        Take(decision);
    }

    public IEnumerable<AuditEntry> Events(string auditEvent) => Audit.Where(a => a.Event == auditEvent);

    private void Take(RemediationDecision decision)
    {
        Audit.AddRange(decision.Audit);
        Outcomes.AddRange(decision.Outcomes);
        Suppressions.AddRange(decision.Suppressions);
        foreach (var command in decision.Commands)
        {
            Sent.Add(command);
            if (AgentAnswer is not { } answer)
            {
                continue;
            }

            var outcome = command.DryRun ? CommandOutcomeKind.DryRun : answer;
            if (!command.DryRun && outcome == CommandOutcomeKind.Succeeded && CommandFixes)
            {
                var sim = _nodes[command.Node];
                sim.KubeletDown = false;
                sim.NfsHung = false;
                sim.FrozenPods = [];
                if (command.Action == RemediationAction.RestartUnit && command.Arguments["unit"] == Settings.VipAnnouncerUnit)
                {
                    sim.HoldsVip = false;
                }

                if (command.Action == RemediationAction.SendGratuitousArp)
                {
                    foreach (var other in _nodes.Values)
                    {
                        other.NeighbourMac = null;
                    }
                }
                if (command.Action == RemediationAction.Reboot)
                {
                    sim.BootId += "+";
                }
            }

            Answer(command, outcome);
        }
    }

    private NodeState NodeState(string name, Sim sim, DateTimeOffset now) =>
        new(name, sim.Connected, now, now, TimeSpan.FromSeconds(10), sim.BootId, null, null)
        {
            Macs = [MacOf(name)],
            Vips = [VipViewOf(name, sim)],
            Kubelet = new KubeletView(sim.KubeletDown ? KubeletHealth.Refused : KubeletHealth.Ok, string.Empty, "kubelet",
                sim.KubeletDown ? "failed" : "active", 0, RuntimeHealth.Ok, string.Empty, null, null),
            NfsMounts =
            [
                new NfsMountView("/mnt/nas", "192.0.2.10", sim.NfsHung ? NfsHealth.Hung : NfsHealth.Ok, null, sim.NfsHung ? "no answer within 5 s" : string.Empty,
                    0, [], sim.NfsHung ? false : true, null, 0, 0, 0, 0)
                {
                    FrozenPods = sim.FrozenPods.Select(p => new FrozenPodView("uid-" + p, p.Split('/')[0], p.Split('/')[1], 1)).ToArray(),
                },
            ],
        };

    // A node never hears its own ARP reply: it sees the other holders answer; its neighbour entry is the first of them.
    private VipView VipViewOf(string name, Sim sim)
    {
        var answering = _nodes.Where(n => n.Value.HoldsVip && n.Key != name).Select(n => MacOf(n.Key)).Order(StringComparer.Ordinal).ToArray();
        var neighbour = sim.HoldsVip ? string.Empty : sim.NeighbourMac ?? answering.FirstOrDefault() ?? string.Empty;
        return new VipView(Vip, "eth0", answering, sim.HoldsVip, neighbour, false, false, 0, 0, false);
    }

    private sealed class Sim
    {
        public bool KubeletDown { get; set; }

        public bool NfsHung { get; set; }

        public bool Connected { get; set; } = true;

        public bool CanExecute { get; set; } = true;

        public string BootId { get; set; } = "boot-1";

        public bool HoldsVip { get; set; }

        public string? NeighbourMac { get; set; }

        public string[] FrozenPods { get; set; } = [];
    }
}
