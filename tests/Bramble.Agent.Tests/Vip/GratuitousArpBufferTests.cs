using Bramble.Agent.Probes.Vip;

namespace Bramble.Agent.Tests.Vip;

public sealed class GratuitousArpBufferTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Take_UnderTheBound_ReturnsEverySightingOldestFirst_ThenNothing()
    {
        var buffer = new GratuitousArpBuffer();
        buffer.Add(Sighting(0, "a"));
        buffer.Add(Sighting(1, "b"));
        buffer.Add(Sighting(2, "b"));

        Assert.Equal([Sighting(0, "a"), Sighting(1, "b"), Sighting(2, "b")], buffer.Take());
        Assert.Empty(buffer.Take());
        Assert.Equal(0, buffer.Dropped);
    }

    [Fact]
    public void Add_FloodOfOneMacThenATakeover_KeepsTheFirstAndLastOfEachRunAndTheNewestRepeats()
    {
        var buffer = new GratuitousArpBuffer();
        for (var i = 0; i < 50; i++)
        {
            buffer.Add(Sighting(i, "old"));
        }

        for (var i = 50; i < 100; i++)
        {
            buffer.Add(Sighting(i, "new"));
        }

        Assert.Equal(GratuitousArpBuffer.Capacity, buffer.Count);
        Assert.Equal(100 - GratuitousArpBuffer.Capacity, buffer.Dropped);
        var kept = buffer.Take();

        Assert.Equal(GratuitousArpBuffer.Capacity, kept.Count);
        Assert.Equal(kept.OrderBy(s => s.At), kept);
        Assert.Equal(Sighting(0, "old"), kept[0]);          // the first of the old owner
        Assert.Equal(Sighting(49, "old"), kept[1]);         // its last word
        Assert.Equal(Sighting(50, "new"), kept[2]);         // the takeover
        Assert.Equal(Sighting(99, "new"), kept[^1]);        // the newest
    }

    [Fact]
    public void Add_AlternatingMacsBeyondTheBound_DropsTheOldest()
    {
        var buffer = new GratuitousArpBuffer();
        for (var i = 0; i < GratuitousArpBuffer.Capacity + 3; i++)
        {
            buffer.Add(Sighting(i, i % 2 == 0 ? "a" : "b"));
        }

        var kept = buffer.Take();

        Assert.Equal(Enumerable.Range(3, GratuitousArpBuffer.Capacity).Select(i => Sighting(i, i % 2 == 0 ? "a" : "b")), kept);
    }

    private static GratuitousArpSighting Sighting(int ms, string mac) => new(T0.AddMilliseconds(ms * 100), mac);
}
