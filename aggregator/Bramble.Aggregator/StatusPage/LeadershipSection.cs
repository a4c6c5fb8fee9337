using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Leadership;

namespace Bramble.Aggregator.StatusPage;

/// <summary>A banner on a follower's status page: what it shows is the leader's, read from the shared store.</summary>
public static class LeadershipSection
{
    public static void Append(StringBuilder page, LeadershipTerm? term)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (term is null || term.IsLeader)
        {
            return;
        }

        var leader = string.IsNullOrEmpty(term.LeaderAddress) ? "not known yet" : HtmlEncoder.Default.Encode(term.LeaderAddress);
        page.Append("<p class=\"warn\" id=\"follower\"><strong>Follower:</strong> this aggregator does not hold the leader lease; it shows the shared store read-only and acts on nothing. Leader: ")
            .Append(leader).Append(".</p>");
    }
}
