using System.Net;

namespace Bramble.Agent.Linux.Addresses;

/// <summary>
/// The <c>node-ip</c> of a k3s configuration file (/etc/rancher/k3s/config.yaml): a scalar ("192.0.2.5",
/// "192.0.2.5,fd00::5", quoted or not), a flow list ([a, b]) or a block list of "- a" lines, as k3s accepts for its
/// repeatable flags. Only this one top-level key is read; the rest of the YAML is skipped line by line.
/// </summary>
public static class K3sNodeIp
{
    private const string Key = "node-ip:";

    /// <summary>The addresses in canonical text; empty when the key is absent or holds no address.</summary>
    public static IReadOnlyList<string> Parse(string? yaml)
    {
        var values = new List<string>();
        var inBlockList = false;
        foreach (var raw in (yaml ?? string.Empty).Split('\n'))
        {
            var line = StripComment(raw).TrimEnd();
            if (inBlockList)
            {
                var item = line.TrimStart();
                if (item.StartsWith('-'))
                {
                    values.Add(item[1..]);
                    continue;
                }

                if (item.Length == 0)
                {
                    continue;
                }

                inBlockList = false;
            }

            if (!line.StartsWith(Key, StringComparison.Ordinal))
            {
                continue;
            }

            var value = line[Key.Length..].Trim();
            if (value.Length == 0)
            {
                inBlockList = true;
            }
            else
            {
                values.Add(value.Trim('[', ']'));
            }
        }

        return values
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => v.Trim('"', '\'', ' '))
            .Select(v => IPAddress.TryParse(v, out var address) ? address.ToString() : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static string StripComment(string line)
    {
        var hash = line.IndexOf(" #", StringComparison.Ordinal);
        return line.TrimStart().StartsWith('#') ? string.Empty : hash >= 0 ? line[..hash] : line;
    }
}
