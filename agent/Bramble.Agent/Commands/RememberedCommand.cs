using Bramble.Protos.V1;

namespace Bramble.Agent.Commands;

/// <summary>A command id the agent has started, and its result once it has one (null: it was running).</summary>
public sealed record RememberedCommand(string Id, CommandResult? Result);
