using Bramble.Aggregator.Ingest;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests;

public sealed class MessageValidatorTests
{
    private static Hello ValidHello() => new()
    {
        NodeName = "pi-01.cluster_a",
        BootId = "6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55",
        InstanceId = "aaaaaaaa-0000-0000-0000-000000000001",
        AgentVersion = "0.1.0",
        ProtocolVersion = MessageValidator.ProtocolVersion,
        Capabilities = { Capability.ProbeVitals, Capability.ExecuteCommands },
    };

    private static Report ValidReport() => new()
    {
        Seq = 7,
        NodeName = "pi-01",
        ObservedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero)),
        Probes = { new ProbeOutcome { Probe = "vitals", Status = ProbeStatus.Ok } },
        NfsMounts = { new NfsMount { MountPoint = "/mnt/nas", State = NfsMountState.Ok } },
        Vips = { new VipObservation { Address = "10.0.0.100", Mode = VipMode.MetallbL2 } },
        Kubelet = new KubeletStatus { Healthz = HealthzResult.Ok },
    };

    [Fact]
    public void ValidateHello_Valid_ReturnsNull()
    {
        Assert.Null(MessageValidator.ValidateHello(ValidHello()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("pi 01")]
    [InlineData("<script>")]
    [InlineData("pi/01")]
    [InlineData("pï-01")]
    public void ValidateHello_BadNodeName_IsMalformed(string name)
    {
        var hello = ValidHello();
        hello.NodeName = name;

        var rejection = MessageValidator.ValidateHello(hello);

        Assert.Equal(RejectReason.Malformed, rejection?.Reason);
        Assert.Contains("node_name", rejection!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateHello_NodeNameTooLong_IsMalformedAndDetailTruncated()
    {
        var hello = ValidHello();
        hello.NodeName = new string('a', 254);

        var rejection = MessageValidator.ValidateHello(hello);

        Assert.Equal(RejectReason.Malformed, rejection?.Reason);
        Assert.True(rejection!.Detail.Length < 200);
    }

    [Fact]
    public void ValidateHello_NodeNameOfMaximumLength_IsAccepted()
    {
        var hello = ValidHello();
        hello.NodeName = new string('a', 253);

        Assert.Null(MessageValidator.ValidateHello(hello));
    }

    [Theory]
    [InlineData("", "instance")]
    [InlineData("boot", "")]
    public void ValidateHello_MissingIds_IsMalformed(string bootId, string instanceId)
    {
        var hello = ValidHello();
        hello.BootId = bootId;
        hello.InstanceId = instanceId;

        Assert.Equal(RejectReason.Malformed, MessageValidator.ValidateHello(hello)?.Reason);
    }

    [Fact]
    public void ValidateHello_BootIdTooLong_IsMalformed()
    {
        var hello = ValidHello();
        hello.BootId = new string('b', 65);

        Assert.Equal(RejectReason.Malformed, MessageValidator.ValidateHello(hello)?.Reason);
    }

    [Theory]
    [InlineData(0U)]
    [InlineData(2U)]
    public void ValidateHello_WrongProtocolVersion_IsInvalidValue(uint version)
    {
        var hello = ValidHello();
        hello.ProtocolVersion = version;

        var rejection = MessageValidator.ValidateHello(hello);

        Assert.Equal(RejectReason.InvalidValue, rejection?.Reason);
        Assert.Contains("protocol_version", rejection!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateHello_UndefinedCapability_IsInvalidValue()
    {
        var hello = ValidHello();
        hello.Capabilities.Add((Capability)99);

        var rejection = MessageValidator.ValidateHello(hello);

        Assert.Equal(RejectReason.InvalidValue, rejection?.Reason);
        Assert.Contains("99", rejection!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateReport_Valid_ReturnsNull()
    {
        Assert.Null(MessageValidator.ValidateReport(ValidReport(), "pi-01"));
    }

    [Fact]
    public void ValidateReport_NoNodeName_IsAcceptedOnTheBoundStream()
    {
        var report = ValidReport();
        report.NodeName = string.Empty;

        Assert.Null(MessageValidator.ValidateReport(report, "pi-01"));
    }

    [Theory]
    [InlineData("pi-02")]
    [InlineData("PI-01")]
    public void ValidateReport_OtherNodesName_IsNodeMismatch(string name)
    {
        var report = ValidReport();
        report.NodeName = name;

        Assert.Equal(RejectReason.NodeMismatch, MessageValidator.ValidateReport(report, "pi-01")?.Reason);
    }

    [Fact]
    public void ValidateReport_SeqZero_IsMalformed()
    {
        var report = ValidReport();
        report.Seq = 0;

        var rejection = MessageValidator.ValidateReport(report, "pi-01");

        Assert.Equal(RejectReason.Malformed, rejection?.Reason);
        Assert.Contains("seq", rejection!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateReport_MissingObservedAt_IsMalformed()
    {
        var report = ValidReport();
        report.ObservedAt = null;

        var rejection = MessageValidator.ValidateReport(report, "pi-01");

        Assert.Equal(RejectReason.Malformed, rejection?.Reason);
        Assert.Contains("observed_at", rejection!.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<Report>> UndefinedEnums => new()
    {
        { "probes.status", r => r.Probes.Add(new ProbeOutcome { Probe = "x", Status = (ProbeStatus)99 }) },
        { "nfs_mounts.state", r => r.NfsMounts.Add(new NfsMount { MountPoint = "/mnt/x", State = (NfsMountState)99 }) },
        { "vips.mode", r => r.Vips[0].Mode = (VipMode)99 },
        { "kubelet.healthz", r => r.Kubelet.Healthz = (HealthzResult)(-1) },
        { "kubelet.runtime_result", r => r.Kubelet.RuntimeResult = (RuntimeResult)7 },
        { "kernel_messages.event", r => r.KernelMessages.Add(new KernelMessage { Event = (KernelEvent)42 }) },
    };

    [Theory]
    [MemberData(nameof(UndefinedEnums))]
    public void ValidateReport_UndefinedEnum_IsInvalidValueNamingTheField(string field, Action<Report> spoil)
    {
        var report = ValidReport();
        spoil(report);

        var rejection = MessageValidator.ValidateReport(report, "pi-01");

        Assert.Equal(RejectReason.InvalidValue, rejection?.Reason);
        Assert.Contains(field, rejection!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateReport_NoKubelet_IsAccepted()
    {
        var report = ValidReport();
        report.Kubelet = null;

        Assert.Null(MessageValidator.ValidateReport(report, "pi-01"));
    }

    [Theory]
    [InlineData(double.NaN, "vitals.load1 is NaN")]
    [InlineData(double.PositiveInfinity, "vitals.load1 is Infinity")]
    [InlineData(double.NegativeInfinity, "vitals.load1 is -Infinity")]
    public void ValidateReport_NonFiniteNumber_IsInvalidValueNamingTheField(double value, string detail)
    {
        var report = ValidReport();
        report.Vitals = new NodeVitals { Load1 = value };

        var rejection = MessageValidator.ValidateReport(report, "pi-01");

        Assert.Equal((RejectReason.InvalidValue, detail), (rejection?.Reason, rejection?.Detail));
    }

    [Fact]
    public void ValidateReport_NestedTimestampOutOfRange_IsInvalidValueNamingTheField()
    {
        var report = ValidReport();
        report.Vips[0].ProbedAt = new Timestamp { Seconds = long.MaxValue };

        var rejection = MessageValidator.ValidateReport(report, "pi-01");

        Assert.Equal(RejectReason.InvalidValue, rejection?.Reason);
        Assert.StartsWith("vips.probed_at is not a valid timestamp", rejection?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateReport_DurationInARepeatedMessageOfARepeatedMessage_IsInvalidValueNamingTheField()
    {
        var report = ValidReport();
        var mount = new NfsMount { MountPoint = "/mnt/nas", ProbeLatency = new Duration { Seconds = 1 } };
        mount.ProbeSteps.Add(new NfsProbeStep { Step = "write", Duration = new Duration { Nanos = 5_000 } });
        mount.ProbeSteps.Add(new NfsProbeStep { Step = "fsync", Duration = new Duration { Seconds = long.MinValue } });
        report.NfsMounts.Add(mount);

        var rejection = MessageValidator.ValidateReport(report, "pi-01");

        Assert.Equal(RejectReason.InvalidValue, rejection?.Reason);
        Assert.StartsWith("nfs_mounts.probe_steps.duration is not a valid duration", rejection?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateReport_InvalidFieldAfterAValidNestedOne_IsNamedFromItsOwnLevel()
    {
        var report = ValidReport();
        var valid = new NfsMount { MountPoint = "/mnt/a", ServerRtt = new Duration { Nanos = 1_000 } };
        valid.ProbeSteps.Add(new NfsProbeStep { Step = "write", Duration = new Duration { Nanos = 5_000 } });
        report.NfsMounts.Add(valid);
        report.NfsMounts.Add(new NfsMount { MountPoint = "/mnt/b", ServerRtt = new Duration { Seconds = 1, Nanos = 1_000_000_000 } });

        var rejection = MessageValidator.ValidateReport(report, "pi-01");

        Assert.Equal(RejectReason.InvalidValue, rejection?.Reason);
        Assert.StartsWith("nfs_mounts.server_rtt is not a valid duration", rejection?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateReport_ObservedFarAheadOfTheAggregatorsClock_IsInvalidValue_SkewWithinADayIsNot()
    {
        var report = ValidReport();
        var observed = report.ObservedAt.ToDateTimeOffset();

        Assert.Null(MessageValidator.ValidateReport(report, "pi-01", observed - TimeSpan.FromHours(23)));
        var rejection = MessageValidator.ValidateReport(report, "pi-01", observed - TimeSpan.FromHours(25));

        Assert.Equal(RejectReason.InvalidValue, rejection?.Reason);
        Assert.Contains("ahead of this aggregator's clock", rejection?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateReport_NegativeAndHugeFiniteNumbers_AreLeftToTheRules()
    {
        var report = ValidReport();
        report.Vitals = new NodeVitals { Load1 = double.MaxValue, CpuTemperatureCelsius = -20 };

        Assert.Null(MessageValidator.ValidateReport(report, "pi-01"));
    }

    [Theory]
    [InlineData(RejectReason.TooLarge, "too_large")]
    [InlineData(RejectReason.NodeMismatch, "node_mismatch")]
    [InlineData(RejectReason.Malformed, "malformed")]
    [InlineData(RejectReason.Unspecified, "other")]
    public void Rejection_Label_IsTheMetricLabel(RejectReason reason, string label)
    {
        Assert.Equal(label, new Rejection(reason, "detail").Label);
    }
}
