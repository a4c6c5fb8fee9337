using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests.Vitals;

public sealed class ClockSyncStateTests
{
    [Theory]
    // timesyncd just synchronised: maxerror a few ms.
    [InlineData(4_500L, 250L, true)]
    // Drifting since the last sync, still under the cap.
    [InlineData(15_999_999L, 0L, true)]
    // A Pi booted without an RTC and no sync yet: the kernel's cap (NTP_PHASE_LIMIT, 16 s).
    [InlineData(16_000_000L, 1_600_000L, false)]
    [InlineData(16_000_001L, 0L, false)]
    public void FromTimex_MaxError_DecidesAsSystemd(long maxErrorMicroseconds, long estimatedMicroseconds, bool synchronized)
    {
        var state = ClockSyncState.FromTimex(maxErrorMicroseconds, estimatedMicroseconds);

        Assert.Equal(synchronized, state.Synchronized);
        Assert.Equal(TimeSpan.FromMicroseconds(maxErrorMicroseconds), state.MaxError);
        Assert.Equal(TimeSpan.FromMicroseconds(estimatedMicroseconds), state.EstimatedError);
    }

    [Fact]
    public void FromTimex_NegativeValues_ClampedToZero()
    {
        var state = ClockSyncState.FromTimex(-1, -5);

        Assert.Equal(TimeSpan.Zero, state.MaxError);
        Assert.Equal(TimeSpan.Zero, state.EstimatedError);
    }

    [Fact]
    public void AdjtimexReader_OnThisLinuxHost_ReadsAState()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "adjtimex is Linux only");

        var state = AdjtimexClockSyncReader.Instance.Read();

        // The kernel never reports more than its cap, so a correct struct layout yields at most 16 s.
        Assert.NotNull(state);
        Assert.InRange(state.MaxError, TimeSpan.Zero, ClockSyncState.UnsynchronizedMaxError);
    }
}
