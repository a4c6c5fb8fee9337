using Bramble.Agent.Probing;
using Bramble.Protos.V1;

namespace Bramble.Agent.Tests;

public sealed class ProbeBoardTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(5);

    private static ProbeRun Run(string probe, ProbeStatus status, string fingerprint, string detail = "", double ms = 5) =>
        new(probe, new ProbeResult(status, detail, fingerprint, null), TimeSpan.FromMilliseconds(ms));

    private static ProbeRun[] Round(string vitalsFingerprint = "ok", ProbeStatus nfs = ProbeStatus.Ok) =>
        [Run("vitals", ProbeStatus.Ok, vitalsFingerprint), Run("nfs", nfs, "nfs:/mnt/nas=ok")];

    [Fact]
    public void Publish_FirstRound_ReturnsTrueAndStoresIt()
    {
        var board = new ProbeBoard();
        var round = Round();

        Assert.False(board.HasRound);
        Assert.True(board.Publish(round));
        Assert.True(board.HasRound);
        Assert.Same(round, board.Latest);
    }

    [Fact]
    public void Publish_SameOutcomes_ReturnsFalseButStoresLatest()
    {
        var board = new ProbeBoard();
        board.Publish(Round());
        var again = new[] { Run("vitals", ProbeStatus.Ok, "ok", detail: "other detail", ms: 900), Run("nfs", ProbeStatus.Ok, "nfs:/mnt/nas=ok", ms: 1) };

        Assert.False(board.Publish(again));
        Assert.Same(again, board.Latest);
    }

    [Fact]
    public void Publish_StatusChanged_ReturnsTrue()
    {
        var board = new ProbeBoard();
        board.Publish(Round());

        Assert.True(board.Publish(Round(nfs: ProbeStatus.Timeout)));
    }

    [Fact]
    public void Publish_FingerprintChangedWithSameStatus_ReturnsTrue()
    {
        var board = new ProbeBoard();
        board.Publish(Round());

        Assert.True(board.Publish(Round(vitalsFingerprint: "throttled")));
    }

    [Fact]
    public void Publish_ProbeAddedToRound_ReturnsTrue()
    {
        var board = new ProbeBoard();
        board.Publish(Round());

        Assert.True(board.Publish([.. Round(), Run("vip", ProbeStatus.Ok, "ok")]));
    }

    [Fact]
    public void Publish_ChangeBackToEarlierOutcome_ReturnsTrue()
    {
        var board = new ProbeBoard();
        board.Publish(Round());
        board.Publish(Round(nfs: ProbeStatus.Error));

        Assert.True(board.Publish(Round()));
    }

    [Fact]
    public async Task WaitForChangeAsync_AfterChange_Completes()
    {
        var board = new ProbeBoard();
        board.Publish(Round());
        await board.WaitForChangeAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);
        var wait = board.WaitForChangeAsync(TestContext.Current.CancellationToken);

        board.Publish(Round(nfs: ProbeStatus.Timeout));

        await wait.WaitAsync(Bounded, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void WaitForChangeAsync_UnchangedRound_StaysPending()
    {
        var board = new ProbeBoard();
        board.Publish(Round());
        Assert.True(board.WaitForChangeAsync(TestContext.Current.CancellationToken).IsCompleted);

        board.Publish(Round());

        Assert.False(board.WaitForChangeAsync(TestContext.Current.CancellationToken).IsCompleted);
    }

    [Fact]
    public void WaitForChangeAsync_SeveralChanges_CoalesceIntoOneSignal()
    {
        var board = new ProbeBoard();
        board.Publish(Round());
        board.Publish(Round(nfs: ProbeStatus.Error));
        board.Publish(Round(nfs: ProbeStatus.Timeout));

        Assert.True(board.WaitForChangeAsync(TestContext.Current.CancellationToken).IsCompleted);
        Assert.False(board.WaitForChangeAsync(TestContext.Current.CancellationToken).IsCompleted);
    }
}
