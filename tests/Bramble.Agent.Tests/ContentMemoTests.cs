using Bramble.Agent.Probing;

namespace Bramble.Agent.Tests;

public sealed class ContentMemoTests
{
    private readonly ContentMemo<int> _memo = new();
    private readonly List<string> _parsed = [];

    private int Parse(string content)
    {
        _parsed.Add(content);
        return content.Length;
    }

    [Fact]
    public void Get_SameContentAgain_ParsesOnce()
    {
        Assert.Equal(3, _memo.Get("a", "abc", Parse));
        Assert.Equal(3, _memo.Get("a", "abc", Parse));

        Assert.Equal(["abc"], _parsed);
    }

    [Fact]
    public void Get_ContentChanged_ParsesAgain_AndTheOldContentToo()
    {
        _memo.Get("a", "abc", Parse);

        Assert.Equal(5, _memo.Get("a", "abcde", Parse));
        Assert.Equal(3, _memo.Get("a", "abc", Parse));

        Assert.Equal(["abc", "abcde", "abc"], _parsed);
    }

    [Fact]
    public void Get_KeysAreApart()
    {
        _memo.Get("a", "abc", Parse);

        _memo.Get("b", "abc", Parse);

        Assert.Equal(["abc", "abc"], _parsed);
    }

    [Fact]
    public void Get_ParseThrows_RemembersNothing()
    {
        _memo.Get("a", "abc", Parse);
        Assert.Throws<FormatException>(() => _memo.Get("a", "bad", _ => throw new FormatException()));

        Assert.Throws<FormatException>(() => _memo.Get("a", "bad", _ => throw new FormatException()));
        Assert.Equal(3, _memo.Get("a", "abc", Parse));
        Assert.Equal(["abc"], _parsed);
    }
}
