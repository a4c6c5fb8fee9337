using System.Text;
using Bramble.Agent.Commands;

namespace Bramble.Agent.Tests.Commands;

public sealed class StderrTailTests
{
    [Fact]
    public void Trim_ShortText_IsKeptWithoutTrailingWhiteSpace()
    {
        Assert.Equal("mount.nfs: Connection timed out", StderrTail.Trim("mount.nfs: Connection timed out\n"));
    }

    [Fact]
    public void Trim_LongText_KeepsTheLastWholeLinesWithin2KiB()
    {
        var lines = Enumerable.Range(1, 500).Select(i => $"line {i}: mount.nfs: an error worth reading").ToList();

        var tail = StderrTail.Trim(string.Join('\n', lines));

        Assert.True(Encoding.UTF8.GetByteCount(tail) <= StderrTail.MaxBytes);
        Assert.EndsWith("line 500: mount.nfs: an error worth reading", tail, StringComparison.Ordinal);
        Assert.StartsWith("line ", tail, StringComparison.Ordinal);
        Assert.Contains(tail.Split('\n')[0], lines);
    }

    [Fact]
    public void Trim_MultiByteText_NeverExceeds2KiB_NorSplitsACharacter()
    {
        var tail = StderrTail.Trim(string.Concat(Enumerable.Repeat("Zeitüberschreitung 😴 ", 400)));

        Assert.True(Encoding.UTF8.GetByteCount(tail) <= StderrTail.MaxBytes);
        Assert.False(char.IsLowSurrogate(tail[0]));
        Assert.EndsWith("😴", tail, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_ManyChunks_KeepsOnlyTheEnd()
    {
        var tail = new StderrTail();
        for (var i = 0; i < 10_000; i++)
        {
            tail.Append($"chunk {i}\n");
        }

        Assert.EndsWith("chunk 9999", tail.Text, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(tail.Text) <= StderrTail.MaxBytes);
    }
}
