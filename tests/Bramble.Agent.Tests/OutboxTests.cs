using Bramble.Agent.Reporting;
using Bramble.Protos.V1;

namespace Bramble.Agent.Tests;

public sealed class OutboxTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(5);

    private static Report NewReport(string tag) => new() { NodeName = tag };

    private static List<Report> TakeAll(Outbox outbox)
    {
        var taken = new List<Report>();
        while (outbox.TryTakeNext(out var report))
        {
            taken.Add(report);
        }

        return taken;
    }

    private static Outbox Numbered(int capacity, int reports, ulong resumeAfter = 0)
    {
        var outbox = new Outbox(capacity);
        outbox.Resume(resumeAfter);
        for (var i = 0; i < reports; i++)
        {
            outbox.Enqueue(NewReport($"r{i + 1}"));
        }

        return outbox;
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Outbox(0));
    }

    [Fact]
    public void Enqueue_BeforeFirstResume_StaysUnnumberedAndUnsendable()
    {
        var outbox = new Outbox(10);
        var report = NewReport("a");

        outbox.Enqueue(report);

        Assert.Equal(0UL, report.Seq);
        Assert.Equal(1, outbox.Count);
        Assert.Equal(0UL, outbox.LastSeq);
        Assert.False(outbox.TryTakeNext(out _));
    }

    [Fact]
    public void Resume_First_NumbersWaitingReportsInOrderAfterLastSeq()
    {
        var outbox = new Outbox(10);
        outbox.Enqueue(NewReport("a"));
        outbox.Enqueue(NewReport("b"));
        outbox.Enqueue(NewReport("c"));

        outbox.Resume(41);

        var taken = TakeAll(outbox);
        Assert.Equal(["a", "b", "c"], taken.Select(r => r.NodeName));
        Assert.Equal([42UL, 43UL, 44UL], taken.Select(r => r.Seq));
        Assert.Equal(44UL, outbox.LastSeq);
    }

    [Fact]
    public void Enqueue_AfterResume_IsNumberedNext()
    {
        var outbox = new Outbox(10);
        outbox.Resume(0);

        var first = NewReport("a");
        var second = NewReport("b");
        outbox.Enqueue(first);
        outbox.Enqueue(second);

        Assert.Equal(1UL, first.Seq);
        Assert.Equal(2UL, second.Seq);
        Assert.Equal(2UL, outbox.LastSeq);
    }

    [Fact]
    public void TryTakeNext_HandsOutEachReportOnceInOrder()
    {
        var outbox = Numbered(10, 3);

        Assert.Equal([1UL, 2UL, 3UL], TakeAll(outbox).Select(r => r.Seq));
        Assert.False(outbox.TryTakeNext(out _));
        Assert.Equal(3, outbox.Count);
    }

    [Fact]
    public void Resume_AfterReconnect_DropsHeldReportsAndReplaysFromOldestUnacked()
    {
        var outbox = Numbered(10, 5);
        TakeAll(outbox);

        outbox.Resume(2);

        Assert.Equal(3, outbox.Count);
        Assert.Equal([3UL, 4UL, 5UL], TakeAll(outbox).Select(r => r.Seq));
    }

    [Fact]
    public void Resume_AggregatorBehindUs_ReplaysEverythingAndKeepsNumbering()
    {
        var outbox = Numbered(10, 3);
        TakeAll(outbox);

        outbox.Resume(0);
        var next = NewReport("d");
        outbox.Enqueue(next);

        Assert.Equal([1UL, 2UL, 3UL, 4UL], TakeAll(outbox).Select(r => r.Seq));
        Assert.Equal(4UL, next.Seq);
    }

    [Fact]
    public void Resume_AggregatorAhead_ContinuesNumberingAfterItsLastSeq()
    {
        // A restarted agent on the same boot: the aggregator already holds 1..100.
        var outbox = Numbered(10, 2);

        outbox.Resume(100);
        var next = NewReport("c");
        outbox.Enqueue(next);

        Assert.Equal(1, outbox.Count);
        Assert.Equal(101UL, next.Seq);
    }

    [Fact]
    public void Ack_IsCumulative()
    {
        var outbox = Numbered(10, 5);
        TakeAll(outbox);

        outbox.Ack(3);

        Assert.Equal(2, outbox.Count);
        Assert.Equal(3UL, outbox.HighestAcked);
        Assert.False(outbox.TryTakeNext(out _));
    }

    [Fact]
    public void Ack_WhileSending_DoesNotResendOrSkip()
    {
        var outbox = Numbered(10, 4);
        Assert.True(outbox.TryTakeNext(out _));
        Assert.True(outbox.TryTakeNext(out _));

        outbox.Ack(1);

        Assert.Equal([3UL, 4UL], TakeAll(outbox).Select(r => r.Seq));
    }

    [Fact]
    public void Ack_Older_DoesNotLowerHighestAcked()
    {
        var outbox = Numbered(10, 4);

        outbox.Ack(3);
        outbox.Ack(1);

        Assert.Equal(3UL, outbox.HighestAcked);
        Assert.Equal(1, outbox.Count);
    }

    [Fact]
    public void Enqueue_WhenFull_DropsOldestCountsAndKeepsNewest()
    {
        var outbox = Numbered(3, 5);

        Assert.Equal(3, outbox.Count);
        Assert.Equal(2, outbox.Dropped);
        Assert.Equal([3UL, 4UL, 5UL], TakeAll(outbox).Select(r => r.Seq));
    }

    [Fact]
    public void Enqueue_WhenFullBeforeResume_KeepsNewestUnnumbered()
    {
        var outbox = new Outbox(2);
        outbox.Enqueue(NewReport("a"));
        outbox.Enqueue(NewReport("b"));
        outbox.Enqueue(NewReport("c"));

        outbox.Resume(10);

        Assert.Equal(1, outbox.Dropped);
        var taken = TakeAll(outbox);
        Assert.Equal(["b", "c"], taken.Select(r => r.NodeName));
        Assert.Equal([11UL, 12UL], taken.Select(r => r.Seq));
    }

    [Fact]
    public void Enqueue_WhenFullWhileSending_NextSentIsStillTheFirstUnsent()
    {
        var outbox = Numbered(3, 3);
        Assert.True(outbox.TryTakeNext(out _));
        Assert.True(outbox.TryTakeNext(out _));

        outbox.Enqueue(NewReport("r4"));

        Assert.Equal([3UL, 4UL], TakeAll(outbox).Select(r => r.Seq));
    }

    [Fact]
    public async Task WaitAsync_NothingHappened_StaysPending()
    {
        var outbox = new Outbox(4);

        var wait = outbox.WaitAsync(TestContext.Current.CancellationToken);

        Assert.False(wait.IsCompleted);
        outbox.Wake();
        await wait.WaitAsync(Bounded, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WaitAsync_Enqueue_Wakes()
    {
        var outbox = new Outbox(4);
        var wait = outbox.WaitAsync(TestContext.Current.CancellationToken);

        outbox.Enqueue(NewReport("a"));

        await wait.WaitAsync(Bounded, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WaitAsync_Wake_Wakes()
    {
        var outbox = new Outbox(4);
        var wait = outbox.WaitAsync(TestContext.Current.CancellationToken);

        outbox.Wake();

        await wait.WaitAsync(Bounded, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WaitAsync_Resume_Wakes()
    {
        var outbox = new Outbox(4);
        var wait = outbox.WaitAsync(TestContext.Current.CancellationToken);

        outbox.Resume(0);

        await wait.WaitAsync(Bounded, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WaitAsync_SignalBeforeWait_CompletesAtOnce()
    {
        var outbox = new Outbox(4);
        outbox.Enqueue(NewReport("a"));

        await outbox.WaitAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        var outbox = new Outbox(4);
        using var cts = new CancellationTokenSource();
        var wait = outbox.WaitAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
