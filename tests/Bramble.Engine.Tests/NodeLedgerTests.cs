using Bramble.Engine.Nodes;

namespace Bramble.Engine.Tests;

public sealed class NodeLedgerTests
{
    private const string Boot1 = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    private const string Boot2 = "11111111-2222-3333-4444-555555555555";
    private const string InstanceA = "aaaaaaaa-0000-0000-0000-000000000001";
    private const string InstanceB = "bbbbbbbb-0000-0000-0000-000000000002";

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static NodeLedger Connected(ulong reportsUpTo = 0)
    {
        var ledger = new NodeLedger("pi-01", T0);
        ledger.Hello(Boot1, InstanceA, "0.1.0", T0);
        for (ulong seq = 1; seq <= reportsUpTo; seq++)
        {
            ledger.Report(seq, T0.AddSeconds(seq), out _);
        }

        return ledger;
    }

    [Fact]
    public void Constructor_EmptyName_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new NodeLedger(string.Empty, T0));
    }

    [Fact]
    public void Hello_NeverSeen_IsFirstContactAndStartsAtZero()
    {
        var ledger = new NodeLedger("pi-01", T0);

        var kind = ledger.Hello(Boot1, InstanceA, "0.1.0", T0.AddSeconds(1));

        Assert.Equal(HelloKind.FirstContact, kind);
        Assert.Equal(Boot1, ledger.BootId);
        Assert.Equal(InstanceA, ledger.InstanceId);
        Assert.Equal("0.1.0", ledger.AgentVersion);
        Assert.Equal(0UL, ledger.LastSeq);
        Assert.Equal(T0.AddSeconds(1), ledger.LastSeen);
        Assert.Equal(T0, ledger.FirstSeen);
        Assert.Equal(0UL, ledger.Reboots);
        Assert.Equal(0UL, ledger.AgentRestarts);
    }

    [Fact]
    public void Hello_SameBootSameInstance_IsReconnectAndKeepsLastSeq()
    {
        var ledger = Connected(reportsUpTo: 5);

        var kind = ledger.Hello(Boot1, InstanceA, "0.1.0", T0.AddMinutes(1));

        Assert.Equal(HelloKind.Reconnect, kind);
        Assert.Equal(5UL, ledger.LastSeq);
        Assert.Equal(0UL, ledger.AgentRestarts);
        Assert.Equal(0UL, ledger.Reboots);
    }

    [Fact]
    public void Hello_SameBootNewInstance_IsAgentRestartAndKeepsLastSeq()
    {
        var ledger = Connected(reportsUpTo: 7);

        var kind = ledger.Hello(Boot1, InstanceB, "0.2.0", T0.AddMinutes(1));

        Assert.Equal(HelloKind.AgentRestart, kind);
        Assert.Equal(7UL, ledger.LastSeq);
        Assert.Equal(1UL, ledger.AgentRestarts);
        Assert.Equal(0UL, ledger.Reboots);
        Assert.Equal(InstanceB, ledger.InstanceId);
        Assert.Equal("0.2.0", ledger.AgentVersion);
    }

    [Fact]
    public void Hello_NewBoot_IsRebootAndResetsLastSeq()
    {
        var ledger = Connected(reportsUpTo: 9);

        var kind = ledger.Hello(Boot2, InstanceB, "0.1.0", T0.AddMinutes(1));

        Assert.Equal(HelloKind.Reboot, kind);
        Assert.Equal(0UL, ledger.LastSeq);
        Assert.Equal(Boot2, ledger.BootId);
        Assert.Equal(1UL, ledger.Reboots);
        Assert.Equal(0UL, ledger.AgentRestarts);
    }

    [Fact]
    public void Report_AfterReboot_SeqOneIsNextNotDuplicate()
    {
        var ledger = Connected(reportsUpTo: 9);
        ledger.Hello(Boot2, InstanceB, "0.1.0", T0.AddMinutes(1));

        var verdict = ledger.Report(1, T0.AddMinutes(2), out var missing);

        Assert.Equal(SequenceVerdict.Next, verdict);
        Assert.Equal(0UL, missing);
        Assert.Equal(1UL, ledger.LastSeq);
    }

    [Theory]
    [InlineData("", InstanceA)]
    [InlineData(Boot1, "")]
    public void Hello_EmptyIds_Throws(string bootId, string instanceId)
    {
        var ledger = new NodeLedger("pi-01", T0);

        Assert.ThrowsAny<ArgumentException>(() => ledger.Hello(bootId, instanceId, "0.1.0", T0));
    }

    [Fact]
    public void Report_InOrder_IsNextAndCounted()
    {
        var ledger = Connected();
        var at = T0.AddSeconds(10);

        var first = ledger.Report(1, T0.AddSeconds(5), out var missing1);
        var second = ledger.Report(2, at, out var missing2);

        Assert.Equal(SequenceVerdict.Next, first);
        Assert.Equal(SequenceVerdict.Next, second);
        Assert.Equal(0UL, missing1);
        Assert.Equal(0UL, missing2);
        Assert.Equal(2UL, ledger.LastSeq);
        Assert.Equal(2UL, ledger.ReportsReceived);
        Assert.Equal(0UL, ledger.SeqGaps);
        Assert.Equal(at, ledger.LastReportAt);
        Assert.Equal(at, ledger.LastSeen);
    }

    [Fact]
    public void Report_SkippingSeqs_IsAfterGapAndCountsMissing()
    {
        var ledger = Connected(reportsUpTo: 2);

        var verdict = ledger.Report(6, T0.AddMinutes(1), out var missing);

        Assert.Equal(SequenceVerdict.AfterGap, verdict);
        Assert.Equal(3UL, missing);
        Assert.Equal(3UL, ledger.SeqGaps);
        Assert.Equal(6UL, ledger.LastSeq);
        Assert.Equal(3UL, ledger.ReportsReceived);
    }

    [Fact]
    public void Report_FirstReportAfterGapFromZero_CountsEarlierSeqsAsMissing()
    {
        var ledger = Connected();

        var verdict = ledger.Report(4, T0.AddMinutes(1), out var missing);

        Assert.Equal(SequenceVerdict.AfterGap, verdict);
        Assert.Equal(3UL, missing);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(3UL)]
    [InlineData(5UL)]
    public void Report_AtOrBelowLastSeq_IsDuplicateAndDoesNotAdvance(ulong seq)
    {
        var ledger = Connected(reportsUpTo: 5);
        var lastReportAt = ledger.LastReportAt;

        var verdict = ledger.Report(seq, T0.AddHours(1), out var missing);

        Assert.Equal(SequenceVerdict.Duplicate, verdict);
        Assert.Equal(0UL, missing);
        Assert.Equal(5UL, ledger.LastSeq);
        Assert.Equal(5UL, ledger.ReportsReceived);
        Assert.Equal(1UL, ledger.DuplicatesDropped);
        Assert.Equal(lastReportAt, ledger.LastReportAt);
        Assert.Equal(T0.AddHours(1), ledger.LastSeen);
    }

    [Fact]
    public void Report_SeqZero_Throws()
    {
        var ledger = Connected();

        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Report(0, T0, out _));
    }

    [Fact]
    public void Rejected_NextSeq_ConsumesItWithoutGap()
    {
        var ledger = Connected(reportsUpTo: 2);

        ledger.Rejected(3, T0.AddMinutes(1));
        var verdict = ledger.Report(4, T0.AddMinutes(2), out var missing);

        Assert.Equal(1UL, ledger.MessagesRejected);
        Assert.Equal(SequenceVerdict.Next, verdict);
        Assert.Equal(0UL, missing);
        Assert.Equal(0UL, ledger.SeqGaps);
        Assert.Equal(4UL, ledger.LastSeq);
        Assert.Equal(3UL, ledger.ReportsReceived);
    }

    [Fact]
    public void Rejected_ThenReplayOfSameSeq_IsDuplicate()
    {
        var ledger = Connected(reportsUpTo: 2);

        ledger.Rejected(3, T0.AddMinutes(1));
        var verdict = ledger.Report(3, T0.AddMinutes(2), out _);

        Assert.Equal(SequenceVerdict.Duplicate, verdict);
        Assert.Equal(3UL, ledger.LastSeq);
    }

    [Fact]
    public void Rejected_SeqZero_CountsButKeepsSequence()
    {
        var ledger = Connected(reportsUpTo: 2);

        ledger.Rejected(0, T0.AddMinutes(3));

        Assert.Equal(1UL, ledger.MessagesRejected);
        Assert.Equal(2UL, ledger.LastSeq);
        Assert.Equal(0UL, ledger.SeqGaps);
        Assert.Equal(T0.AddMinutes(3), ledger.LastSeen);
    }

    [Fact]
    public void Rejected_DoesNotCountAsReceivedOrDuplicate()
    {
        var ledger = Connected(reportsUpTo: 2);

        ledger.Rejected(3, T0.AddMinutes(1));
        ledger.Rejected(2, T0.AddMinutes(1));

        Assert.Equal(2UL, ledger.ReportsReceived);
        Assert.Equal(0UL, ledger.DuplicatesDropped);
        Assert.Equal(2UL, ledger.MessagesRejected);
    }

    [Fact]
    public void Snapshot_ThenRestore_RoundTripsEveryField()
    {
        var ledger = Connected(reportsUpTo: 3);
        ledger.Report(6, T0.AddMinutes(1), out _);
        ledger.Report(6, T0.AddMinutes(2), out _);
        ledger.Rejected(7, T0.AddMinutes(3));
        ledger.Hello(Boot1, InstanceB, "0.2.0", T0.AddMinutes(4));
        ledger.Hello(Boot2, InstanceA, "0.3.0", T0.AddMinutes(5));
        ledger.Report(1, T0.AddMinutes(6), out _);
        var snapshot = ledger.Snapshot();

        var restored = NodeLedger.Restore(snapshot);

        Assert.Equal(snapshot, restored.Snapshot());
        Assert.Equal(
            new NodeLedgerSnapshot(
                "pi-01", Boot2, InstanceA, 1, "0.3.0", T0, T0.AddMinutes(6), T0.AddMinutes(6),
                ReportsReceived: 5, DuplicatesDropped: 1, SeqGaps: 2, MessagesRejected: 1, AgentRestarts: 1, Reboots: 1,
                ReportInterval: NodeLedger.DefaultReportInterval, BootChangedAt: T0.AddMinutes(5), PreviousBootId: Boot1),
            snapshot);
    }

    [Fact]
    public void Restore_ThenHelloOnSameBoot_ContinuesSequence()
    {
        var ledger = Connected(reportsUpTo: 4);
        var restored = NodeLedger.Restore(ledger.Snapshot());

        var kind = restored.Hello(Boot1, InstanceA, "0.1.0", T0.AddHours(1));
        var verdict = restored.Report(4, T0.AddHours(1), out _);

        Assert.Equal(HelloKind.Reconnect, kind);
        Assert.Equal(SequenceVerdict.Duplicate, verdict);
        Assert.Equal(4UL, restored.LastSeq);
    }
}
