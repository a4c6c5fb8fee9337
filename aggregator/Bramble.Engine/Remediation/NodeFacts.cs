namespace Bramble.Engine.Remediation;

/// <summary>
/// What the planner needs to know about a node besides its incidents. <see cref="CanExecute"/>: its agent offered to
/// execute commands in its hello (it does only when its own allow-list is not empty).
/// </summary>
public sealed record NodeFacts(string Name, bool Connected, string BootId, bool CanExecute = true);
