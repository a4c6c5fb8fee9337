using Bramble.Engine.Cluster;
using Bramble.Engine.Correlation;

namespace Bramble.Engine.Rules;

/// <summary>Runs every enabled rule, then every enabled cause rule over their findings. Pure: same snapshot, same result.</summary>
public sealed class RuleEngine
{
    private readonly IRule[] _rules;
    private readonly ICauseRule[] _causeRules;

    public RuleEngine(IEnumerable<IRule> rules, IEnumerable<ICauseRule> causeRules)
    {
        _rules = rules.ToArray();
        _causeRules = causeRules.ToArray();
        Settings = _rules.Select(r => (r.Kind, r.Settings)).Concat(_causeRules.Select(r => (r.Kind, r.Settings)))
            .ToDictionary(p => p.Kind, p => p.Settings, StringComparer.Ordinal);
    }

    /// <summary>Settings of every kind this engine can yield.</summary>
    public IReadOnlyDictionary<string, RuleSettings> Settings { get; }

    public EvaluationResult Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var findings = new List<Finding>();
        foreach (var rule in _rules)
        {
            if (rule.Settings.Enabled)
            {
                findings.AddRange(rule.Evaluate(cluster));
            }
        }

        var causeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var symptoms = findings.ToArray();
        foreach (var rule in _causeRules)
        {
            if (!rule.Settings.Enabled)
            {
                continue;
            }

            foreach (var cause in rule.Correlate(cluster, symptoms))
            {
                findings.Add(cause.Cause);
                foreach (var child in cause.ChildKeys)
                {
                    causeOf.TryAdd(child, cause.Cause.Key);
                }
            }
        }

        return new EvaluationResult(findings, causeOf);
    }
}
