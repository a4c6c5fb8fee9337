namespace Bramble.Aggregator.Api;

/// <summary>One certificate of a node's calendar; <see cref="DaysLeft"/> counted on the aggregator's clock at the request.</summary>
public sealed record CertificateDateView(string Path, string Subject, DateTimeOffset NotAfter, int DaysLeft, string Status);
