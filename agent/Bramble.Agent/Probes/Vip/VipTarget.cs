using System.Net;
using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Vip;

/// <summary>One watched VIP as validated: its address, the interface asked on (null when no route leads to it), mode and ports.</summary>
public sealed record VipTarget(IPAddress Address, string? Interface, VipMode Mode, IReadOnlyList<int> Ports);
