using System.IO.Enumeration;

namespace Bramble.Agent.Linux.Doctor;

/// <summary>
/// How one network configuration file sets an interface's IPv4 address: by DHCP or statically.
/// <paramref name="Interfaces"/> are names or globs ("en*"); empty means every interface.
/// </summary>
public sealed record AddressConfiguration(string Source, IReadOnlyList<string> Interfaces, bool Dhcp)
{
    public bool Applies(string interfaceName) =>
        Interfaces.Count == 0 || Interfaces.Any(pattern => FileSystemName.MatchesSimpleExpression(pattern, interfaceName, ignoreCase: false));

    /// <summary>A NetworkManager keyfile (*.nmconnection): [connection] interface-name, [ipv4] method (auto is DHCP; manual is static).</summary>
    public static AddressConfiguration? FromNetworkManagerKeyfile(string source, string? text)
    {
        var entries = IniEntry.Parse(text);
        var method = entries.LastOrDefault(e => e.Section == "ipv4" && e.Key == "method")?.Value ?? "auto";
        if (method is not ("auto" or "manual"))
        {
            return null;
        }

        var name = entries.LastOrDefault(e => e.Section == "connection" && e.Key == "interface-name")?.Value;
        return new AddressConfiguration(source, string.IsNullOrEmpty(name) ? [] : [name], method == "auto");
    }

    /// <summary>A systemd-networkd .network file: [Match] Name= globs, [Network] DHCP=yes|ipv4|true, or Address=.</summary>
    public static AddressConfiguration? FromNetworkdFile(string source, string? text)
    {
        var entries = IniEntry.Parse(text);
        var names = entries.Where(e => e.Section == "Match" && e.Key == "Name")
            .SelectMany(e => e.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToArray();
        var dhcp = entries.LastOrDefault(e => e.Section == "Network" && e.Key == "DHCP")?.Value is "yes" or "ipv4" or "true" or "1";
        var hasStatic = entries.Any(e => (e.Section == "Network" && e.Key == "Address") || (e.Section == "Address" && e.Key == "Address"));
        return dhcp || hasStatic ? new AddressConfiguration(source, names, dhcp && !hasStatic) : null;
    }

    /// <summary>
    /// dhcpcd.conf: dhcpcd asks DHCP on every interface unless an "interface X" block (or the global part) says
    /// "static ip_address=…". One entry per static block, and one "DHCP everywhere else".
    /// </summary>
    public static IReadOnlyList<AddressConfiguration> FromDhcpcdConf(string source, string? text)
    {
        var result = new List<AddressConfiguration>();
        string? block = null;
        foreach (var raw in (text ?? string.Empty).Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("interface ", StringComparison.Ordinal))
            {
                block = line["interface ".Length..].Trim();
            }
            else if (line.StartsWith("ssid ", StringComparison.Ordinal) || line.StartsWith("profile ", StringComparison.Ordinal))
            {
                block = null;
            }
            else if (line.StartsWith("static ip_address=", StringComparison.Ordinal))
            {
                result.Add(new AddressConfiguration(source, block is null ? [] : [block], Dhcp: false));
            }
        }

        // Static blocks first: the check takes the first configuration that applies.
        result.Add(new AddressConfiguration(source, [], Dhcp: true));
        return result;
    }

    /// <summary>ifupdown's /etc/network/interfaces: "iface eth0 inet dhcp" or "iface eth0 inet static".</summary>
    public static IReadOnlyList<AddressConfiguration> FromInterfacesFile(string source, string? text)
    {
        var result = new List<AddressConfiguration>();
        foreach (var raw in (text ?? string.Empty).Split('\n'))
        {
            var fields = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 4 && fields[0] == "iface" && fields[2] == "inet" && fields[3] is "dhcp" or "static")
            {
                result.Add(new AddressConfiguration(source, [fields[1]], fields[3] == "dhcp"));
            }
        }

        return result;
    }
}
