namespace Bramble.Aggregator.Alerts;

/// <summary>One Alertmanager (Alerts:Alertmanagers:N); in a cluster every member is listed and each gets every alert.</summary>
public sealed class AlertmanagerTarget
{
    /// <summary>Base URL, e.g. http://alertmanager:9093; alerts go to {Url}/api/v2/alerts.</summary>
    public string Url { get; set; } = string.Empty;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
