namespace Bramble.Agent.Doctor;

/// <summary>An interface a VIP is (or may be) announced on, and why the doctor looks at it ("Vip:Watch:0", "default route").</summary>
public sealed record AnnouncingInterface(string Name, string Reason);
