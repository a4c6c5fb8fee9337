using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Api;

/// <summary>Incidents for the API and the page: history from the store, open ones with the live evidence of the last pass.</summary>
public static class IncidentQueries
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IReadOnlyList<IncidentRecord> List(IIncidentStore store, IncidentBoard board, IncidentState? state, bool openOnly, string? kind, string? node, int limit)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(board);
        var live = board.Open.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var stored = openOnly
            ? live.Values.OrderByDescending(i => i.StartedAt).Take(limit).ToList()
            : store.Query(state, kind, node, limit).Select(i => live.GetValueOrDefault(i.Id) ?? i).ToList();
        return stored
            .Where(i => (state is null || i.State == state) && (kind is null || i.Kind == kind) && (node is null || i.Subject.Node == node))
            .ToList();
    }

    /// <summary>Parses the API's state filter: pending, firing, resolved, or open (pending and firing).</summary>
    public static bool TryParseState(string? text, out IncidentState? state, out bool openOnly)
    {
        state = null;
        openOnly = false;
        switch (text)
        {
            case null or "":
                return true;
            case "open":
                openOnly = true;
                return true;
            case "pending" or "firing" or "resolved":
                state = SqliteIncidentStore.ParseState(text);
                return true;
            default:
                return false;
        }
    }
}
