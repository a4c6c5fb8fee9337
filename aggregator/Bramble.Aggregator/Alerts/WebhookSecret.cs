namespace Bramble.Aggregator.Alerts;

/// <summary>Reads a webhook key from its file: absolute, or relative to $CREDENTIALS_DIRECTORY when set.</summary>
public static class WebhookSecret
{
    public static string PathOf(string secretFile, string? credentialsDirectory) =>
        Path.IsPathRooted(secretFile) || string.IsNullOrEmpty(credentialsDirectory) ? secretFile : Path.Combine(credentialsDirectory, secretFile);

    /// <summary>The key bytes, trailing newlines trimmed (files written with echo end in one).</summary>
    public static byte[] Read(string path) => System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(path).TrimEnd('\r', '\n'));
}
