namespace Bramble.Bench.Detection;

/// <summary>One alert Alertmanager holds as active; <see cref="UpdatedAt"/> is when it last received it.</summary>
public sealed record HeldAlert(string Name, string Node, DateTimeOffset UpdatedAt);
