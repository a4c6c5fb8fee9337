using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Bramble.Agent.Probing;

/// <summary>
/// The last value parsed from each file's content, for probes that read a file every round but whose parse costs far
/// more than the read: an X.509 certificate parse (the kubelet's client and serving certificates, three parses a
/// round) was more than half the agent's CPU time at the defaults (bench/RESULTS.md, "Agent CPU: certificates").
/// It keeps a SHA-256 of the content, not the content: kubeadm's client certificate file holds the private key too.
/// </summary>
public sealed class ContentMemo<T>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Hash, T Value)> _last = new(StringComparer.Ordinal);

    /// <summary><paramref name="parse"/>(<paramref name="content"/>), or the value it gave last time for the same key and content.</summary>
    public T Get(string key, string content, Func<string, T> parse)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(parse);
        var hash = SHA256.HashData(MemoryMarshal.AsBytes(content.AsSpan()));
        lock (_gate)
        {
            if (_last.TryGetValue(key, out var last) && last.Hash.AsSpan().SequenceEqual(hash))
            {
                return last.Value;
            }
        }

        // A parse that throws remembers nothing: the caller sees the same failure next round, as before.
        var value = parse(content);
        lock (_gate)
        {
            _last[key] = (hash, value);
        }

        return value;
    }
}
