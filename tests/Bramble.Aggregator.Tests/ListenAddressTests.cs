using System.Net;
using Bramble.Aggregator.Hosting;

namespace Bramble.Aggregator.Tests;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("http://0.0.0.0:9731", "0.0.0.0", 9731)]
    [InlineData("http://127.0.0.1:9730/", "127.0.0.1", 9730)]
    [InlineData("http://10.0.0.5:80", "10.0.0.5", 80)]
    [InlineData("http://[::]:9731", "::", 9731)]
    [InlineData("http://[::1]:9731", "::1", 9731)]
    [InlineData("http://[fd00::80]:9731", "fd00::80", 9731)]
    public void TryParse_IpAddress_ReturnsAddressAndPort(string url, string ip, int port)
    {
        Assert.True(ListenAddress.TryParse(url, out var address, out var error), error);

        Assert.Equal(IPAddress.Parse(ip), address.Address);
        Assert.Equal(port, address.Port);
        Assert.False(address.IsLocalhost);
    }

    [Theory]
    [InlineData("http://localhost:9731")]
    [InlineData("http://LOCALHOST:9731/")]
    public void TryParse_Localhost_HasNoAddress(string url)
    {
        Assert.True(ListenAddress.TryParse(url, out var address, out var error), error);

        Assert.True(address.IsLocalhost);
        Assert.Null(address.Address);
        Assert.Equal(9731, address.Port);
    }

    [Theory]
    [InlineData(null, "absolute URL")]
    [InlineData("", "absolute URL")]
    [InlineData("0.0.0.0:9731", "absolute URL")]
    [InlineData("not a url", "absolute URL")]
    [InlineData("ftp://0.0.0.0:9731", "http://")]
    [InlineData("grpc://0.0.0.0:9731", "http://")]
    [InlineData("http://0.0.0.0", "port")]
    [InlineData("http://0.0.0.0/", "port")]
    [InlineData("http://[::1]", "port")]
    [InlineData("http://0.0.0.0:9731/grpc", "path")]
    [InlineData("http://aggregator.lan:9731", "host name")]
    public void TryParse_Invalid_FailsWithReason(string? url, string reason)
    {
        Assert.False(ListenAddress.TryParse(url, out var address, out var error));

        Assert.Null(address);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://[::80]")]
    [InlineData("http://[fd00::8080]/")]
    [InlineData("http://[2001:db8::80:1]")]
    public void TryParse_Ipv6WithoutPortButColonEighty_FailsForMissingPort(string url)
    {
        // Without a port Kestrel would listen on 80; the ":80" inside the address is not a port.
        Assert.False(ListenAddress.TryParse(url, out _, out var error));

        Assert.Contains("port", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://[::1]:80", 80)]
    [InlineData("http://0.0.0.0:80/", 80)]
    public void TryParse_ExplicitPortEighty_IsAccepted(string url, int port)
    {
        Assert.True(ListenAddress.TryParse(url, out var address, out var error), error);

        Assert.Equal(port, address.Port);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ListenAddress.Parse("grpc://0.0.0.0:9731"));
    }

    [Theory]
    [InlineData("https://0.0.0.0:9731", true)]
    [InlineData("http://0.0.0.0:9731", false)]
    [InlineData("https://localhost:9730", true)]
    public void TryParse_Scheme_SaysWhetherThePortServesTls(string url, bool https)
    {
        Assert.True(ListenAddress.TryParse(url, out var address, out var error), error);

        Assert.Equal(https, address.IsHttps);
    }

    [Theory]
    [InlineData("http://0.0.0.0:9730", "http://127.0.0.1:9730/")]
    [InlineData("http://[::]:9730", "http://127.0.0.1:9730/")]
    [InlineData("http://10.0.0.5:9730", "http://10.0.0.5:9730/")]
    [InlineData("http://localhost:9730", "http://localhost:9730/")]
    public void StatusPageUrl_WildcardBecomesLoopback(string listen, string expected)
    {
        Assert.Equal(expected, AggregatorHost.StatusPageUrl(listen));
    }
}
