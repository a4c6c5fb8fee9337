using System.Security.Cryptography;
using System.Text;

namespace Bramble.Aggregator.Remediation;

/// <summary>Checks an Authorization header against Remediation:ApprovalToken without leaking, through timing, how much matched.</summary>
public static class ApprovalToken
{
    /// <summary>The configured token: Remediation:ApprovalToken, or the content of ApprovalTokenFile; empty when neither is set or the file is gone.</summary>
    public static string Of(RemediationOptions options, string? credentialsDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ApprovalTokenFile.Length == 0)
        {
            return options.ApprovalToken;
        }

        var path = Alerts.WebhookSecret.PathOf(options.ApprovalTokenFile, credentialsDirectory);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
    }

    public static bool IsValid(string? authorizationHeader, string configuredToken)
    {
        ArgumentNullException.ThrowIfNull(configuredToken);
        const string scheme = "Bearer ";
        if (configuredToken.Length == 0 || authorizationHeader is null
            || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Hashing first gives both sides the same length, so the comparison time does not depend on the length either.
        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(authorizationHeader[scheme.Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(configuredToken));
        return CryptographicOperations.FixedTimeEquals(offered, expected);
    }
}
