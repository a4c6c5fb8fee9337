namespace Bramble.Agent.Linux.Identity;

/// <summary>What a raw packet socket needs of an interface: its kernel index (to bind to) and its MAC (to skip own frames).</summary>
public sealed record InterfaceLink(string Name, int Index, string Mac);
