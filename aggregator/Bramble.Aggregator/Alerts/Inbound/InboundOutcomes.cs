namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>
/// The outcome label of bramble_alertmanager_requests_total and of each alert in the endpoint's answer: per alert
/// (accepted … refused_*) or per call (unauthorized … too_large). A fixed set, so the label stays bounded.
/// </summary>
public static class InboundOutcomes
{
    /// <summary>A firing alert became a new remediation request.</summary>
    public const string Accepted = "accepted";

    /// <summary>A firing alert re-sent (repeat_interval, group changes) refreshed its open request.</summary>
    public const string Refreshed = "refreshed";

    /// <summary>A resolved alert closed its request (or there was none open: nothing to do).</summary>
    public const string Resolved = "resolved";

    /// <summary>An alert without a bramble_action label: not a request, left alone.</summary>
    public const string Ignored = "ignored";

    public const string RefusedUnknownAction = "refused_unknown_action";

    /// <summary>No node label, or the label its action needs (unit, mount, vip, hook) is missing.</summary>
    public const string RefusedMissingLabel = "refused_missing_label";

    /// <summary>A request not re-sent (nor resolved) within Alerts:InboundExpiry was closed.</summary>
    public const string Expired = "expired";

    public const string Unauthorized = "unauthorized";

    /// <summary>No inbound token is configured: the endpoint refuses every call.</summary>
    public const string Forbidden = "forbidden";

    public const string Malformed = "malformed";

    public const string TooLarge = "too_large";
}
