namespace Bramble.Agent.Linux.Identity;

/// <summary>One network interface: its kernel name, hardware address and whether the link is up.</summary>
public sealed record NetworkInterfaceInfo(string Name, string Mac, bool Up);
