using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bramble.Aggregator.Alerts;

/// <summary>How outbox snapshots and payloads are serialised: camelCase, enums by name, nulls left out.</summary>
internal static class AlertJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
