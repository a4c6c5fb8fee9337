namespace Bramble.Engine.Cluster;

/// <summary>The last fsync probe under the cluster's state directory: its latency, or why it failed (hung included).</summary>
public sealed record StateStorageView(string Path, TimeSpan? FsyncLatency, string Error);
