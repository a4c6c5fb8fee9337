using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests.Vitals;

public sealed class StatvfsDiskSpaceReaderTests
{
    [Fact]
    public void Read_ThisMachinesRoot_AvailableIsWithinTheSize()
    {
        var space = StatvfsDiskSpaceReader.Instance.Read("/");

        Assert.NotNull(space);
        Assert.True(space.TotalBytes > 0);
        Assert.InRange(space.AvailableBytes, 0UL, space.TotalBytes);
    }

    [Fact]
    public void Read_PathThatIsNotThere_ReturnsNull()
    {
        Assert.Null(StatvfsDiskSpaceReader.Instance.Read("/no/such/mount/point-" + Guid.NewGuid().ToString("N")));
    }
}
