namespace Bramble.Engine.Cluster;

/// <summary>A pod with processes stuck on a mount; namespace and name are empty when the node could not name it.</summary>
public sealed record FrozenPodView(string Uid, string Namespace, string Name, int StuckProcesses)
{
    /// <summary>"namespace/name", or the uid when the pod has no name on the node.</summary>
    public string Display => Name.Length > 0 ? $"{Namespace}/{Name}" : Uid;
}
