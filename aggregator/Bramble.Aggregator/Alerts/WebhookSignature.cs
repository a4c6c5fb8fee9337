using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// X-Bramble-Signature: sha256=hex(HMAC-SHA256(key, timestamp + "." + body)), with the Unix-seconds timestamp in
/// X-Bramble-Timestamp: a receiver recomputes it over the raw body and refuses old timestamps (replay).
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-Bramble-Timestamp";
    public const string SignatureHeader = "X-Bramble-Signature";
    public const string EventIdHeader = "X-Bramble-Event-Id";

    public static string Timestamp(DateTimeOffset now) => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string Sign(byte[] key, string timestamp, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(body);
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, signed));
    }
}
