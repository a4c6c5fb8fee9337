using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The root filesystem has less space available than a share of its size, or than a number of bytes.</summary>
public sealed class DiskLowRule : NodeRule
{
    public const string KindName = "DiskLow";
    private readonly DiskLowSettings _settings;

    public DiskLowRule(DiskLowSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now)
    {
        if (node.Vitals is not { RootSizeBytes: { } size and > 0, RootAvailableBytes: { } available })
        {
            return null;
        }

        var percent = 100.0 * available / size;
        var lowShare = _settings.MinAvailablePercent > 0 && percent < _settings.MinAvailablePercent;
        var lowBytes = _settings.MinAvailableBytes > 0 && available < _settings.MinAvailableBytes;
        if (!lowShare && !lowBytes)
        {
            return null;
        }

        return (Severity.Warning,
            Invariant($"the root filesystem of {node.Name} is low on space: {Gib(available)} GiB of {Gib(size)} GiB available ({percent:0.#} %)"),
            Evidence(
                ("rootAvailableBytes", Invariant($"{available}")),
                ("rootSizeBytes", Invariant($"{size}")),
                ("availablePercent", Invariant($"{percent:0.##}")),
                ("below", lowShare && lowBytes ? "share and bytes" : lowShare ? "share" : "bytes")));
    }

    private static string Gib(ulong bytes) => Invariant($"{bytes / (double)(1UL << 30):0.##}");
}
