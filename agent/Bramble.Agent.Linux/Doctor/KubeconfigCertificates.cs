namespace Bramble.Agent.Linux.Doctor;

/// <summary>
/// The certificates embedded in a kubeconfig (base64 PEM in client-certificate-data and certificate-authority-data),
/// read line by line: both keys are plain scalars on one line in every kubeconfig kubeadm and k3s write.
/// </summary>
public static class KubeconfigCertificates
{
    private static readonly string[] Keys = ["client-certificate-data", "certificate-authority-data"];

    /// <summary>(key, PEM text) for each embedded certificate; values that are not base64 are skipped.</summary>
    public static IReadOnlyList<(string Key, string Pem)> Extract(string? text)
    {
        var found = new List<(string, string)>();
        foreach (var raw in (text ?? string.Empty).Split('\n'))
        {
            var line = raw.Trim();
            foreach (var key in Keys)
            {
                if (!line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    continue;
                }

                var value = line[(key.Length + 1)..].Trim().Trim('"', '\'');
                var bytes = new byte[value.Length];
                if (Convert.TryFromBase64String(value, bytes, out var written))
                {
                    found.Add((key, System.Text.Encoding.ASCII.GetString(bytes, 0, written)));
                }
            }
        }

        return found;
    }
}
