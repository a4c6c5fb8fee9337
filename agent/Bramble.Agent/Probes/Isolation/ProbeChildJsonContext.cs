using System.Text.Json.Serialization;

namespace Bramble.Agent.Probes.Isolation;

/// <summary>Source-generated JSON for the probe child's result file (no reflection in a process that must start fast).</summary>
[JsonSerializable(typeof(ProbeChildResult))]
[JsonSerializable(typeof(Nfs.NfsProbeServerRequest))]
[JsonSerializable(typeof(Nfs.NfsProbeServerReply))]
[JsonSourceGenerationOptions(IgnoreReadOnlyProperties = true)]
internal sealed partial class ProbeChildJsonContext : JsonSerializerContext
{
}
