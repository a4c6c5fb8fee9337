using System.Text.Json;

namespace Bramble.Bench.Ingest;

/// <summary>
/// Checks the aggregator's own view after the run: every bench node is there, on the boot it said Hello with, with
/// no sequence gap, and holding at least every seq it acknowledged (an ack promises exactly that).
/// </summary>
internal static class NodeVerifier
{
    public static async Task<IReadOnlyList<string>> VerifyAsync(
        HttpClient http, Uri api, IReadOnlyCollection<SimulatedAgent> agents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(agents);
        using var response = await http.GetAsync(new Uri(api, "/api/v1/nodes"), ct);
        if (!response.IsSuccessStatusCode)
        {
            return [$"GET /api/v1/nodes answered {(int)response.StatusCode}"];
        }

        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        var nodes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var node in document.RootElement.EnumerateArray())
        {
            nodes[node.GetProperty("name").GetString() ?? string.Empty] = node;
        }

        var problems = new List<string>();
        foreach (var agent in agents)
        {
            if (!nodes.TryGetValue(agent.NodeName, out var node))
            {
                problems.Add($"{agent.NodeName}: missing from /api/v1/nodes");
                continue;
            }

            var seqGaps = node.GetProperty("seqGaps").GetUInt64();
            var lastSeq = node.GetProperty("lastSeq").GetUInt64();
            var bootId = node.GetProperty("bootId").GetString();
            if (seqGaps != 0)
            {
                problems.Add($"{agent.NodeName}: seqGaps = {seqGaps} (expected 0)");
            }

            if (lastSeq < agent.LastAckedSeq)
            {
                problems.Add($"{agent.NodeName}: lastSeq = {lastSeq} < acknowledged seq {agent.LastAckedSeq}");
            }

            if (!string.Equals(bootId, agent.BootId, StringComparison.Ordinal))
            {
                problems.Add($"{agent.NodeName}: bootId = {bootId} (the agent said {agent.BootId})");
            }
        }

        return problems;
    }
}
