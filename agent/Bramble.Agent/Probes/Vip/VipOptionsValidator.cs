using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vip;

/// <summary>Checks the Vip section at start; each failure names its key, e.g. "Vip:Watch:0:Address".</summary>
public sealed class VipOptionsValidator : IValidateOptions<VipOptions>
{
    public const int MaxWatched = 64;
    private static readonly TimeSpan MinWindow = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromSeconds(10);

    public ValidateOptionsResult Validate(string? name, VipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = VipOptions.Section + ":";

        if (options.Window < MinWindow || options.Window > MaxWindow)
        {
            failures.Add($"{prefix}{nameof(options.Window)}: must be between {MinWindow.TotalMilliseconds:F0} ms and {MaxWindow.TotalSeconds:F0} s (got {options.Window})");
        }

        if (options.PortTimeout < MinWindow || options.PortTimeout > MaxWindow)
        {
            failures.Add($"{prefix}{nameof(options.PortTimeout)}: must be between {MinWindow.TotalMilliseconds:F0} ms and {MaxWindow.TotalSeconds:F0} s (got {options.PortTimeout})");
        }

        if (options.Interval is { } interval && interval < MinWindow)
        {
            failures.Add($"{prefix}{nameof(options.Interval)}: must be at least {MinWindow.TotalMilliseconds:F0} ms when set (got {interval})");
        }

        if (options.Watch.Count > MaxWatched)
        {
            failures.Add($"{prefix}{nameof(options.Watch)}: at most {MaxWatched} VIPs (got {options.Watch.Count})");
        }

        var seen = new Dictionary<IPAddress, int>();
        for (var i = 0; i < options.Watch.Count; i++)
        {
            var watch = options.Watch[i];
            var key = $"{prefix}{nameof(options.Watch)}:{i}:";
            if (!IPAddress.TryParse(watch.Address, out var address) || address.AddressFamily != AddressFamily.InterNetwork
                || !string.Equals(address.ToString(), watch.Address.Trim(), StringComparison.Ordinal))
            {
                failures.Add($"{key}{nameof(watch.Address)}: '{watch.Address}' is not an IPv4 address such as 192.0.2.100");
            }
            else if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.Broadcast) || IsMulticast(address))
            {
                failures.Add($"{key}{nameof(watch.Address)}: '{watch.Address}' cannot be a VIP answered by ARP (loopback, multicast, broadcast or 0.0.0.0)");
            }
            else if (!seen.TryAdd(address, i))
            {
                failures.Add($"{key}{nameof(watch.Address)}: '{watch.Address}' is already watched as {prefix}{nameof(options.Watch)}:{seen[address]}");
            }

            if (watch.Interface is { Length: > 0 } interfaceName && !IsInterfaceName(interfaceName))
            {
                failures.Add($"{key}{nameof(watch.Interface)}: '{interfaceName}' is not an interface name (1-15 characters, no '/', ':' or spaces)");
            }

            if (VipModes.Parse(watch.Mode) is null)
            {
                failures.Add($"{key}{nameof(watch.Mode)}: '{watch.Mode}' is not one of {string.Join(", ", VipModes.All)}");
            }

            for (var p = 0; p < watch.Ports.Count; p++)
            {
                if (watch.Ports[p] is < 1 or > 65535)
                {
                    failures.Add($"{key}{nameof(watch.Ports)}:{p}: {watch.Ports[p]} is not a TCP port (1-65535)");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // As the kernel's dev_valid_name: at most IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or white space.
    private static bool IsInterfaceName(string name) =>
        name.Length <= 15 && name is not ("." or "..") && name.All(c => c > ' ' && c < 0x7f && c is not ('/' or ':'));

    private static bool IsMulticast(IPAddress address) => address.GetAddressBytes()[0] is >= 224 and <= 239;
}
