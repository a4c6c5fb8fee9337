using System.Text.Json.Serialization;

namespace Bramble.Agent.Doctor;

/// <summary>`bramble-agent doctor --json`: camelCase, statuses as "ok", "warn", "fail", "not_applicable", "skipped".</summary>
[JsonSerializable(typeof(DoctorReport))]
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true)]
internal sealed partial class DoctorJsonContext : JsonSerializerContext
{
}
