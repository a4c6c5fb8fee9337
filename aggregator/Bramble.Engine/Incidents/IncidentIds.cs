using System.Globalization;
using System.Text;
using Bramble.Engine.Rules;

namespace Bramble.Engine.Incidents;

/// <summary>Readable, URL-safe incident ids: kind, subject and start time, e.g. "agentsilent-node-pi-3-1764150000123".</summary>
public static class IncidentIds
{
    public static string Create(string kind, Subject subject, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var text = $"{kind}-{subject.Key}";
        var slug = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        if (slug.Length > 0 && slug[^1] != '-')
        {
            slug.Append('-');
        }

        return slug.Append(startedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)).ToString();
    }
}
