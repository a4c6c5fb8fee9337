namespace Bramble.Agent.Doctor;

/// <summary>An interface a VIP is (or may be) announced on, and why the doctor looks at it ("Vip:Watch:0", "default route").</summary>
public sealed record AnnouncingInterface(string Name, string Reason)
{
    /// <summary>
    /// True for a Vip:Watch entry's interface; false for the default route's, looked at only because no VIP is
    /// configured (a VIP announced there is then a guess).
    /// </summary>
    public bool Watched { get; init; } = true;
}
