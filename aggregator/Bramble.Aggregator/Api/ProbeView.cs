using Bramble.Protos.V1;

namespace Bramble.Aggregator.Api;

/// <summary>The latest outcome of one probe on one node.</summary>
public sealed record ProbeView(string Probe, string Status, string Detail)
{
    public static string StatusName(ProbeStatus status) => status switch
    {
        ProbeStatus.Ok => "ok",
        ProbeStatus.NothingToProbe => "nothing_to_probe",
        ProbeStatus.Error => "error",
        ProbeStatus.Timeout => "timeout",
        _ => "unknown",
    };
}
