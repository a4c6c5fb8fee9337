using System.Globalization;
using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Vip;

/// <summary>The VIP's owner changed more than MaxChanges times within Window: every change is a gap and stale caches.</summary>
public sealed class VipFlappingRule : IRule
{
    public const string KindName = "VipFlapping";
    private readonly VipFlappingSettings _settings;

    public VipFlappingRule(VipFlappingSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var since = cluster.Now - _settings.Window;
        var observers = VipObservers.Of(cluster);
        foreach (var (vip, ownership) in cluster.VipOwnership.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var changes = ownership.OwnerChangedAt.Count(t => t > since);
            if (changes <= _settings.MaxChanges)
            {
                continue;
            }

            var recent = ownership.Failovers.Where(f => f.DetectedAt > since)
                .Select(f => Invariant($"{f.FromNode ?? observers.NodeOf(f.FromMac) ?? "unknown"} ({f.FromMac}) → {f.ToNode ?? observers.NodeOf(f.ToMac) ?? "unknown"} ({f.ToMac}) at {f.DetectedAt.ToString("O", CultureInfo.InvariantCulture)}"));
            yield return new Finding(KindName, new Subject(Vip: vip), Severity.Warning,
                Invariant($"VIP {vip} changed owner {changes} times in the last {_settings.Window.TotalMinutes:0.#} min"),
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["changes"] = changes.ToString(CultureInfo.InvariantCulture),
                    ["windowSeconds"] = _settings.Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
                    ["failovers"] = string.Join("; ", recent),
                    ["owners"] = string.Join("; ", ownership.Owners.Select(o => $"{o.Node ?? observers.NodeOf(o.Mac) ?? "unknown"} ({o.Mac})")),
                });
        }
    }
}
