using Bramble.Protos.V1;

namespace Bramble.Agent.Commands;

/// <summary>One kind of remediation action: its allow-list check and its adapter.</summary>
public interface ICommandAction
{
    CommandAction Action { get; }

    /// <summary>Whether the configuration allows this action for anything at all.</summary>
    bool Allowed { get; }

    /// <summary>Checks the command's arguments against the allow-list; never runs anything.</summary>
    ActionPlan Plan(Command command);
}
