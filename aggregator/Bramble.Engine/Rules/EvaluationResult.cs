namespace Bramble.Engine.Rules;

/// <summary>One pass of the rule engine: every finding (causes included) and which cause explains which finding.</summary>
public sealed record EvaluationResult(IReadOnlyList<Finding> Findings, IReadOnlyDictionary<string, string> CauseOf);
