namespace Bramble.Engine.Rules;

/// <summary>What a finding is about. Absent parts are null; all absent means the whole cluster.</summary>
public sealed record Subject(string? Node = null, string? Mount = null, string? Vip = null, string? Server = null)
{
    public static Subject Cluster { get; } = new();

    /// <summary>A stable, readable key, e.g. "node=pi-3" or "node=pi-3,mount=/mnt/nas"; "cluster" when empty.</summary>
    public string Key
    {
        get
        {
            var parts = new List<string>(4);
            Add(parts, "node", Node);
            Add(parts, "mount", Mount);
            Add(parts, "vip", Vip);
            Add(parts, "server", Server);
            return parts.Count == 0 ? "cluster" : string.Join(',', parts);
        }
    }

    public static Subject ForNode(string node) => new(Node: node);

    private static void Add(List<string> parts, string name, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{name}={value}");
        }
    }
}
