using System.Text.Json;

namespace Bramble.Cli;

/// <summary>The aggregator's JSON conventions (camelCase field names).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
