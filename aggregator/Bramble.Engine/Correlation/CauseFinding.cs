using Bramble.Engine.Rules;

namespace Bramble.Engine.Correlation;

/// <summary>A shared cause and the findings it explains (by <see cref="Finding.Key"/>).</summary>
public sealed record CauseFinding(Finding Cause, IReadOnlyList<string> ChildKeys);
