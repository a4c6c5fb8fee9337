using System.Text.Json.Serialization;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>Source-generated JSON for the probe child's result file (no reflection in a process that must start fast).</summary>
[JsonSerializable(typeof(NfsProbeChildResult))]
[JsonSourceGenerationOptions(IgnoreReadOnlyProperties = true)]
internal sealed partial class NfsProbeChildJsonContext : JsonSerializerContext
{
}
