namespace Bramble.Aggregator.Alerts;

/// <summary>One signed webhook (Alerts:Webhooks:N).</summary>
public sealed class WebhookTarget
{
    /// <summary>Unique; the receiver label in metrics and the outbox.</summary>
    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    /// <summary>
    /// File holding the HMAC key (trailing newline ignored). Relative names are looked up in
    /// $CREDENTIALS_DIRECTORY (systemd LoadCredential=) when it is set. Keys never come from the command line.
    /// </summary>
    public string SecretFile { get; set; } = string.Empty;

    /// <summary>Incident kinds sent; empty: all.</summary>
    public List<string> Kinds { get; set; } = [];

    /// <summary>Lowest severity sent: Info, Warning or Critical.</summary>
    public string MinSeverity { get; set; } = "Info";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
