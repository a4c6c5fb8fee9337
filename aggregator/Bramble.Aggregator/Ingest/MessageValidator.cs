using System.Collections;
using System.Globalization;
using Bramble.Protos.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Duration = Google.Protobuf.WellKnownTypes.Duration;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

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

    /// <summary>How far ahead of this aggregator's clock a report may claim to be; beyond it the clock is not merely skewed.</summary>
    public static readonly TimeSpan MaxClockLead = TimeSpan.FromDays(1);

    public static Rejection? ValidateReport(Report report, string boundNodeName, DateTimeOffset? now = null)
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

        if (now is { } clock && report.ObservedAt.Seconds > (clock + MaxClockLead).ToUnixTimeSeconds())
        {
            return new(RejectReason.InvalidValue,
                $"observed_at {report.ObservedAt} is more than {MaxClockLead.TotalHours:0} h ahead of this aggregator's clock ({clock:O})");
        }

        return FirstUndefinedEnum(report) ?? FirstInvalidNumber(report, string.Empty);
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

    /// <summary>
    /// Walks every field: a NaN or infinite number, or a timestamp or duration outside what protobuf can represent, would
    /// poison averages and crash conversions later, so the whole report is refused naming the field.
    /// </summary>
    private static Rejection? FirstInvalidNumber(IMessage message, string path)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var name = path.Length == 0 ? field.Name : path + "." + field.Name;
            var value = field.Accessor.GetValue(message);
            var values = field.IsMap ? ((IDictionary)value).Values : field.IsRepeated ? (IEnumerable)value : new[] { value };
            foreach (var item in values)
            {
                if (InvalidValue(field, item, name) is { } rejection)
                {
                    return rejection;
                }
            }
        }

        return null;
    }

    private static Rejection? InvalidValue(FieldDescriptor field, object? value, string name) => value switch
    {
        double d when !double.IsFinite(d) => new(RejectReason.InvalidValue, $"{name} is {d.ToString(CultureInfo.InvariantCulture)}"),
        float f when !float.IsFinite(f) => new(RejectReason.InvalidValue, $"{name} is {f.ToString(CultureInfo.InvariantCulture)}"),
        Timestamp t when t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || t.Nanos is < 0 or > 999_999_999 =>
            new(RejectReason.InvalidValue, $"{name} is not a valid timestamp ({t.Seconds} s, {t.Nanos} ns)"),
        Duration d when d.Seconds is < -MaxDurationSeconds or > MaxDurationSeconds || d.Nanos is < -999_999_999 or > 999_999_999 =>
            new(RejectReason.InvalidValue, $"{name} is not a valid duration ({d.Seconds} s, {d.Nanos} ns)"),
        IMessage nested when field.FieldType == FieldType.Message => FirstInvalidNumber(nested, name),
        _ => null,
    };

    // The ranges protobuf's well-known types define: 0001-01-01 to 9999-12-31, and ±10,000 years.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;
    private const long MaxDurationSeconds = 315_576_000_000;

    private static Rejection Undefined(string field, int value) =>
        new(RejectReason.InvalidValue, $"{field} has the undefined value {value}");

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
