using Bramble.Protos.V1;

namespace Bramble.Aggregator.Ingest;

/// <summary>
/// Checks agent messages before they touch state. Protobuf accepts any integer for an enum; Bramble refuses an
/// undefined one, since a rule would misread it. Unknown fields are tolerated (protobuf's forward compatibility,
/// so agents can be upgraded before the aggregator); a message with no body this aggregator knows is refused.
/// </summary>
public static class MessageValidator
{
    public const uint ProtocolVersion = 1;
    private const int MaxNodeNameLength = 253;
    private const int MaxIdLength = 64;
    private const int MaxCommandIdLength = 128;
    // The contract: "last lines of the action's standard error, at most 2 KiB".
    private const int MaxStderrTailBytes = 2048;

    public static Rejection? ValidateHello(Hello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        if (!IsValidNodeName(hello.NodeName))
        {
            return new(RejectReason.Malformed, $"node_name '{Truncate(hello.NodeName)}' is not a valid node name (1-{MaxNodeNameLength} of [A-Za-z0-9._-])");
        }

        if (hello.BootId.Length is 0 or > MaxIdLength || hello.InstanceId.Length is 0 or > MaxIdLength)
        {
            return new(RejectReason.Malformed, $"boot_id and instance_id must be 1-{MaxIdLength} characters");
        }

        if (hello.ReportInterval is { } interval
            && (interval.ToTimeSpan() < TimeSpan.FromMilliseconds(10) || interval.ToTimeSpan() > TimeSpan.FromDays(1)))
        {
            return new(RejectReason.Malformed, $"report_interval {interval.ToTimeSpan()} is outside 10 ms to 1 day");
        }

        if (hello.ProtocolVersion != ProtocolVersion)
        {
            return new(RejectReason.InvalidValue, $"protocol_version {hello.ProtocolVersion} is not supported (this aggregator speaks {ProtocolVersion})");
        }

        foreach (var capability in hello.Capabilities)
        {
            if (!Enum.IsDefined(capability))
            {
                return new(RejectReason.InvalidValue, $"unknown capability value {(int)capability}");
            }
        }

        return null;
    }

    public static Rejection? ValidateReport(Report report, string boundNodeName)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.NodeName.Length > 0 && !string.Equals(report.NodeName, boundNodeName, StringComparison.Ordinal))
        {
            return new(RejectReason.NodeMismatch, $"report names node '{Truncate(report.NodeName)}' on the stream of '{boundNodeName}'");
        }

        if (report.Seq == 0)
        {
            return new(RejectReason.Malformed, "seq must be 1 or more");
        }

        if (report.ObservedAt is null)
        {
            return new(RejectReason.Malformed, "observed_at is missing");
        }

        return FirstUndefinedEnum(report);
    }

    /// <summary>A CommandResult: an id like the ones this aggregator sends, a known outcome, a bounded stderr tail.</summary>
    public static Rejection? ValidateCommandResult(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Id.Length is 0 or > MaxCommandIdLength)
        {
            return new(RejectReason.Malformed, $"command_result.id must be 1-{MaxCommandIdLength} characters");
        }

        if (result.Outcome == CommandOutcome.Unspecified || !Enum.IsDefined(result.Outcome))
        {
            return new(RejectReason.InvalidValue, $"command_result.outcome {(int)result.Outcome} is not a known outcome");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(result.StderrTail) > MaxStderrTailBytes)
        {
            return new(RejectReason.Malformed, $"command_result.stderr_tail is over {MaxStderrTailBytes} bytes");
        }

        if (result.Duration is { } duration && duration.ToTimeSpan() < TimeSpan.Zero)
        {
            return new(RejectReason.Malformed, "command_result.duration is negative");
        }

        return null;
    }

    public static bool IsValidNodeName(string name)
    {
        if (name.Length is 0 or > MaxNodeNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static Rejection? FirstUndefinedEnum(Report report)
    {
        foreach (var probe in report.Probes)
        {
            if (!Enum.IsDefined(probe.Status))
            {
                return Undefined("probes.status", (int)probe.Status);
            }
        }

        foreach (var mount in report.NfsMounts)
        {
            if (!Enum.IsDefined(mount.State))
            {
                return Undefined("nfs_mounts.state", (int)mount.State);
            }
        }

        foreach (var vip in report.Vips)
        {
            if (!Enum.IsDefined(vip.Mode))
            {
                return Undefined("vips.mode", (int)vip.Mode);
            }
        }

        if (report.Kubelet is { } kubelet && !Enum.IsDefined(kubelet.Healthz))
        {
            return Undefined("kubelet.healthz", (int)kubelet.Healthz);
        }

        if (report.Kubelet is { } runtime && !Enum.IsDefined(runtime.RuntimeResult))
        {
            return Undefined("kubelet.runtime_result", (int)runtime.RuntimeResult);
        }

        foreach (var message in report.KernelMessages)
        {
            if (!Enum.IsDefined(message.Event))
            {
                return Undefined("kernel_messages.event", (int)message.Event);
            }
        }

        return null;
    }

    private static Rejection Undefined(string field, int value) =>
        new(RejectReason.InvalidValue, $"{field} has the undefined value {value}");

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
