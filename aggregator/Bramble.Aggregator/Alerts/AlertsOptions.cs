namespace Bramble.Aggregator.Alerts;

/// <summary>Where incident transitions are sent (section "Alerts"): Alertmanagers and signed webhooks, through the outbox.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    /// <summary>The <c>cluster</c> label on every alert and the webhook body's cluster.</summary>
    public string ClusterName { get; set; } = "bramble";

    /// <summary>
    /// Base URL people reach the aggregator at (generatorURL and webhook links). Empty: Aggregator:HttpUrl with a
    /// wildcard host replaced by this machine's name.
    /// </summary>
    public string ExternalUrl { get; set; } = string.Empty;

    /// <summary>runbook_url is this plus the incident kind; empty: the runbook this aggregator serves at {ExternalUrl}/runbooks/.</summary>
    public string RunbookBaseUrl { get; set; } = string.Empty;

    public List<AlertmanagerTarget> Alertmanagers { get; set; } = [];

    public List<WebhookTarget> Webhooks { get; set; } = [];

    /// <summary>An entry still undelivered this long after its transition goes to the dead-letter table.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Firing alerts are re-sent to every Alertmanager this often; must stay below Alertmanager's resolve_timeout
    /// (5 m by default), or it resolves them on its own.
    /// </summary>
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First retry delay of a failing delivery; doubles per attempt, with jitter, up to RetryMaxDelay.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries within one delivery attempt; after them the entry waits PollInterval and is tried again.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>How long a receiver's circuit stays open after half of at least 4 calls in 30 s failed.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a receiver's loop looks at its outbox when not woken by a new entry.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bearer token Alertmanager must send to POST /api/v1/alertmanager (its http_config.authorization.credentials).
    /// Prefer InboundTokenFile; empty both: the endpoint answers 403. Never logged.
    /// </summary>
    public string InboundToken { get; set; } = string.Empty;

    /// <summary>File holding the inbound token (absolute, or relative to $CREDENTIALS_DIRECTORY), read at start.</summary>
    public string InboundTokenFile { get; set; } = string.Empty;

    /// <summary>
    /// A remediation request neither re-sent nor resolved this long is closed. Alertmanager re-sends a firing group every
    /// repeat_interval (4 h by default); twice that plus an hour for group_interval and its retries lets one re-send be lost.
    /// </summary>
    public TimeSpan InboundExpiry { get; set; } = TimeSpan.FromHours(9);

    /// <summary>Largest webhook body accepted (Alertmanager sends a whole group in one call).</summary>
    public int InboundMaxBytes { get; set; } = 1024 * 1024;
}
