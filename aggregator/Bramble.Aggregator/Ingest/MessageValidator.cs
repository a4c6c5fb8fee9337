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

        return FirstUndefinedEnum(report) ?? FirstInvalidNumber(report, null);
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
    /// Walks every field that can hold a number: a NaN or infinite number, or a timestamp or duration outside what protobuf
    /// can represent, would poison averages and crash conversions later, so the whole report is refused naming the field.
    /// Every report passes through here: only double, float and message fields are visited (integers, strings, enums and
    /// bools cannot be invalid this way), and the field's dotted name is built only for a refusal. The reflective walk
    /// of every field, with a name string, a boxed value and an array per field, was a third of ingest's CPU at 1,000
    /// agents and most of its garbage.
    /// </summary>
    private static Rejection? FirstInvalidNumber(IMessage message, List<string>? path)
    {
        foreach (var field in NumericFields(message.Descriptor))
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                foreach (var item in ((IDictionary)value).Values)
                {
                    if (InvalidValue(field, item, ref path) is { } rejection)
                    {
                        return rejection;
                    }
                }
            }
            else if (field.IsRepeated)
            {
                var list = (IList)value;
                for (var i = 0; i < list.Count; i++)
                {
                    if (InvalidValue(field, list[i], ref path) is { } rejection)
                    {
                        return rejection;
                    }
                }
            }
            else if (InvalidValue(field, value, ref path) is { } rejection)
            {
                return rejection;
            }
        }

        return null;
    }

    private static Rejection? InvalidValue(FieldDescriptor field, object? value, ref List<string>? path)
    {
        switch (value)
        {
            case double d when !double.IsFinite(d):
                return new(RejectReason.InvalidValue, $"{Name(path, field)} is {d.ToString(CultureInfo.InvariantCulture)}");
            case float f when !float.IsFinite(f):
                return new(RejectReason.InvalidValue, $"{Name(path, field)} is {f.ToString(CultureInfo.InvariantCulture)}");
            case Timestamp t when t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || t.Nanos is < 0 or > 999_999_999:
                return new(RejectReason.InvalidValue, $"{Name(path, field)} is not a valid timestamp ({t.Seconds} s, {t.Nanos} ns)");
            case Duration d when d.Seconds is < -MaxDurationSeconds or > MaxDurationSeconds || d.Nanos is < -999_999_999 or > 999_999_999:
                return new(RejectReason.InvalidValue, $"{Name(path, field)} is not a valid duration ({d.Seconds} s, {d.Nanos} ns)");
            case IMessage nested when field.FieldType == FieldType.Message && nested is not (Timestamp or Duration):
                path ??= [];
                path.Add(field.Name);
                var rejection = FirstInvalidNumber(nested, path);
                path.RemoveAt(path.Count - 1);
                return rejection;
            default:
                return null;
        }
    }

    private static string Name(List<string>? path, FieldDescriptor field) =>
        path is { Count: > 0 } ? string.Join('.', path) + "." + field.Name : field.Name;

    /// <summary>The fields of a message type that can hold an invalid number, directly or in a nested message; computed once per type.</summary>
    private static FieldDescriptor[] NumericFields(MessageDescriptor type) =>
        NumericFieldsByType.TryGetValue(type, out var fields) ? fields : NumericFieldsByType.GetOrAdd(type, Find(type, []));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MessageDescriptor, FieldDescriptor[]> NumericFieldsByType = new();

    private static FieldDescriptor[] Find(MessageDescriptor type, HashSet<MessageDescriptor> visiting)
    {
        if (!visiting.Add(type))
        {
            // A recursive type: walk its message fields (no contract message is recursive today; this keeps it correct if one is).
            return type.Fields.InDeclarationOrder().Where(f => f.FieldType is FieldType.Double or FieldType.Float or FieldType.Message).ToArray();
        }

        var fields = type.Fields.InDeclarationOrder().Where(f => f.FieldType switch
        {
            FieldType.Double or FieldType.Float => true,
            FieldType.Message => f.MessageType.ClrType == typeof(Timestamp) || f.MessageType.ClrType == typeof(Duration)
                || Find(f.MessageType, visiting).Length > 0,
            _ => false,
        }).ToArray();
        visiting.Remove(type);
        return fields;
    }

    // The ranges protobuf's well-known types define: 0001-01-01 to 9999-12-31, and ±10,000 years.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;
    private const long MaxDurationSeconds = 315_576_000_000;

    private static Rejection Undefined(string field, int value) =>
        new(RejectReason.InvalidValue, $"{field} has the undefined value {value}");

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
