using Bramble.Agent.Reporting;

namespace Bramble.Agent.Tests;

public sealed class AggregatorAddressRingTests
{
    private const string A = "http://10.0.0.1:9731";
    private const string B = "http://10.0.0.2:9731";
    private const string C = "http://10.0.0.3:9731";

    [Fact]
    public void Failures_MoveToTheNextAddress_AndOnlyAFullRoundWaitsTheBackoff()
    {
        var ring = new AggregatorAddressRing([A, B, C]);

        ring.Failed();
        Assert.Equal(B, ring.Current);
        Assert.Equal(A, ring.LastFailed);
        Assert.False(ring.RoundExhausted);
        ring.Failed();
        Assert.Equal(C, ring.Current);
        Assert.Equal(B, ring.LastFailed);
        Assert.False(ring.RoundExhausted);
        ring.Failed();
        Assert.Equal(A, ring.Current);
        Assert.True(ring.RoundExhausted);

        // After the backoff a new round starts.
        ring.Failed();
        Assert.Equal(B, ring.Current);
        Assert.False(ring.RoundExhausted);
    }

    [Fact]
    public void Redirect_ToAListedAddress_IsFollowed_WhateverItsCaseOrTrailingSlash()
    {
        var ring = new AggregatorAddressRing([A, B, "http://Agg-3.LAN:9731"]);

        Assert.True(ring.Redirect("http://agg-3.lan:9731/"));
        Assert.Equal("http://Agg-3.LAN:9731", ring.Current);
        Assert.False(ring.RoundExhausted);
    }

    [Theory]
    [InlineData("http://198.51.100.66:9731")]
    [InlineData("not a url")]
    [InlineData("https://10.0.0.2:9731")]
    public void Redirect_ElsewhereThanTheList_CountsAsAFailure(string leader)
    {
        var ring = new AggregatorAddressRing([A, B]);

        Assert.False(ring.Redirect(leader));
        Assert.Equal(B, ring.Current);
    }

    [Fact]
    public void Redirects_ThatGoRoundWithoutALeader_WaitTheBackoff()
    {
        var ring = new AggregatorAddressRing([A, B]);

        // Two followers naming each other (both stale): A → B → A → …
        Assert.True(ring.Redirect(B));
        Assert.True(ring.Redirect(A));
        Assert.False(ring.RoundExhausted);
        Assert.True(ring.Redirect(B));
        Assert.True(ring.RoundExhausted);
    }

    [Fact]
    public void Connected_StartsTheRoundOver()
    {
        var ring = new AggregatorAddressRing([A, B]);
        ring.Failed();
        ring.Failed();
        Assert.True(ring.RoundExhausted);

        ring.Connected();

        Assert.False(ring.RoundExhausted);
        Assert.Equal(A, ring.Current);
    }

    [Fact]
    public void NoAddress_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new AggregatorAddressRing([]));
}
