using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Vip;

/// <summary>The configuration spellings of <see cref="VipMode"/>, as the projects name themselves.</summary>
public static class VipModes
{
    public const string Auto = "auto";
    public const string MetalLbL2 = "metallb-l2";
    public const string Keepalived = "keepalived";
    public const string KubeVip = "kube-vip";

    public static IReadOnlyList<string> All { get; } = [Auto, MetalLbL2, Keepalived, KubeVip];

    /// <summary>The report's mode for a configured spelling (case-insensitive), or null when it is none of them.</summary>
    public static VipMode? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        Auto => VipMode.Auto,
        MetalLbL2 => VipMode.MetallbL2,
        Keepalived => VipMode.Keepalived,
        KubeVip => VipMode.KubeVip,
        _ => null,
    };
}
