namespace Bramble.Agent.Probes.Vip;

/// <summary>One VIP's window: when its request went out (agent clock) and every MAC that answered, fastest first.</summary>
public sealed record ArpAnswers(DateTimeOffset ProbedAt, IReadOnlyList<ArpResponderTally> Responders);
