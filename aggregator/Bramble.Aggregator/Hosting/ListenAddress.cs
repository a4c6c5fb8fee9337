using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Bramble.Aggregator.Hosting;

/// <summary>A listen URL such as "http://0.0.0.0:9731" (or https://), reduced to what Kestrel needs.</summary>
public sealed record ListenAddress(string Host, IPAddress? Address, int Port)
{
    /// <summary>Whether the URL says https://: the port then serves TLS.</summary>
    public bool IsHttps { get; init; }

    private static readonly char[] AuthorityEnd = ['/', '?', '#'];

    /// <summary>True for "localhost", which binds both loopback families.</summary>
    public bool IsLocalhost => Address is null;

    /// <summary>Parses a URL that validation has already accepted.</summary>
    public static ListenAddress Parse(string url) =>
        TryParse(url, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string? url, [NotNullWhen(true)] out ListenAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            error = $"'{url}' is not an absolute URL such as http://0.0.0.0:9731";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            error = $"'{url}' must use http:// or https://";
            return false;
        }

        if (uri.IsDefaultPort && !HasExplicitPort(url!))
        {
            error = $"'{url}' must name a port";
            return false;
        }

        if (uri.AbsolutePath != "/")
        {
            error = $"'{url}' must not have a path";
            return false;
        }

        var host = uri.Host;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(host, null, uri.Port) { IsHttps = uri.Scheme == Uri.UriSchemeHttps };
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            address = new ListenAddress(host, ip, uri.Port) { IsHttps = uri.Scheme == Uri.UriSchemeHttps };
        }
        else
        {
            error = $"'{url}' must use an IP address or localhost, not a host name";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Whether the URL's authority names a port; <see cref="Uri"/> hides an explicit ":80".</summary>
    private static bool HasExplicitPort(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var authority = start < 0 ? url : url[(start + 3)..];
        var end = authority.IndexOfAny(AuthorityEnd);
        if (end >= 0)
        {
            authority = authority[..end];
        }

        authority = authority[(authority.LastIndexOf('@') + 1)..];

        // An IPv6 literal's colons sit inside the brackets; a port's colon comes after them.
        var colon = authority.LastIndexOf(':');
        return colon > authority.LastIndexOf(']') && colon < authority.Length - 1;
    }
}
