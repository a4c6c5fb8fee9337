namespace Bramble.Aggregator.Runbooks;

/// <summary>
/// Which runbook an incident kind's alert links to. The runbooks are named after the Prometheus alerts (BrambleX); a kind
/// without its own runbook gets BrambleIncidentFiring, which explains how to read any incident.
/// </summary>
public static class RunbookNames
{
    public const string Generic = "BrambleIncidentFiring";

    private static readonly Dictionary<string, string> ByKind = new(StringComparer.Ordinal)
    {
        ["AgentSilent"] = "BrambleAgentDisconnected",
        ["NasUnreachable"] = "BrambleNasUnreachable",
        ["NfsMountHung"] = "BrambleNfsMountHung",
        ["NfsRetransmitting"] = "BrambleNfsRetransmitting",
        ["KubeletDown"] = "BrambleKubeletDown",
        ["KubeletCrashLoop"] = "BrambleKubeletDown",
        ["CertificateExpiring"] = "BrambleKubeletCertificateExpiring",
        ["UnderVoltage"] = "BrambleNodeUnderVoltage",
        ["NodeOverheating"] = "BrambleNodeOverheating",
        ["NodeThrottled"] = "BrambleNodeOverheating",
        ["RootFsReadOnly"] = "BrambleNodeRootReadOnly",
        ["DiskLow"] = "BrambleNodeDiskLow",
        ["ClockSkew"] = "BrambleNodeClockUnsynchronized",
        ["VipSplitBrain"] = "BrambleVipSplitBrain",
        ["VipDark"] = "BrambleVipDark",
    };

    public static IReadOnlyDictionary<string, string> Mapped => ByKind;

    public static string ForKind(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return ByKind.GetValueOrDefault(kind, Generic);
    }
}
