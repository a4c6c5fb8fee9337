namespace Bramble.Bench.Detection;

/// <summary>
/// One injection of a fault and what each stack made of it, as delays from the injection: Bramble's incident firing
/// (the aggregator's firing transition), and each stack's alert arriving at Alertmanager (its updatedAt when first
/// seen). Null: did not happen before the deadline. Load1: /proc/loadavg's 1-minute figure at the injection.
/// </summary>
public sealed record Injection(
    string Fault,
    int Number,
    DateTimeOffset InjectedAt,
    double Load1,
    TimeSpan? BrambleFiring,
    TimeSpan? BrambleAtAlertmanager,
    TimeSpan? PeerAtAlertmanager);
