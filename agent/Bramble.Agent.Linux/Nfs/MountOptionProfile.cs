namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// Expected NFS mount options, as a user writes them in fstab or a StorageClass, turned into what the kernel shows in
/// mountinfo: it never shows bg/fg or intr/nointr (ignored since 2.6.25), shows tcp/udp as proto=…, nfsvers= as
/// vers=, and actimeo=N as the four ac…=N. Each option belongs to a group (hard/soft are one group, noac/ac another),
/// so "soft instead of hard" is one difference, not a missing and an extra option.
/// </summary>
public sealed class MountOptionProfile
{
    /// <summary>nfs-client-provisioner's options, which the clusters Bramble watches use.</summary>
    public const string DefaultProfile = "rw,bg,hard,nointr,rsize=32768,wsize=32768,tcp,noac,actimeo=0,vers=3,timeo=600";

    // Options that live in fstab or mount.nfs only; the kernel never renders them.
    private static readonly HashSet<string> NeverShown = new(StringComparer.Ordinal)
    {
        "bg", "fg", "intr", "nointr", "retry", "defaults", "auto", "noauto", "user", "nouser", "users", "nofail", "_netdev",
    };

    private static readonly string[] AttributeCacheTimes = ["acregmin", "acregmax", "acdirmin", "acdirmax"];

    private readonly IReadOnlyList<KeyValuePair<string, string>> _expected;

    private MountOptionProfile(IReadOnlyList<KeyValuePair<string, string>> expected)
    {
        _expected = expected;
    }

    /// <summary>Each expected option in the kernel's rendering, keyed by its group.</summary>
    public IReadOnlyList<string> KernelRendering => _expected.Select(e => e.Value).ToArray();

    public static MountOptionProfile Default { get; } = Parse(DefaultProfile)!;

    /// <summary>Parses a profile; null when it holds no option or an empty one ("rw,,hard", "=3").</summary>
    public static MountOptionProfile? Parse(string? profile)
    {
        if (string.IsNullOrWhiteSpace(profile))
        {
            return null;
        }

        var items = profile.Split(',', StringSplitOptions.TrimEntries);
        if (items.Any(i => i.Length == 0 || i.StartsWith('=') || i.EndsWith('=')))
        {
            return null;
        }

        // Later options win, as with mount(8): keep one rendering per group, in first-seen order.
        var expected = new List<KeyValuePair<string, string>>();
        foreach (var option in MountOptionList.Parse(profile).Options)
        {
            foreach (var rendered in Render(option.Key, option.Value))
            {
                var group = GroupOf(rendered);
                var existing = expected.FindIndex(e => e.Key == group);
                if (existing >= 0)
                {
                    expected[existing] = new(group, rendered);
                }
                else
                {
                    expected.Add(new(group, rendered));
                }
            }
        }

        return expected.Count == 0 ? null : new MountOptionProfile(expected);
    }

    /// <summary>Every expected option the kernel's rendering (mountinfo super options) does not show as expected.</summary>
    public IReadOnlyList<MountOptionDifference> Compare(string kernelOptions)
    {
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in MountOptionList.Parse(kernelOptions).Options)
        {
            var rendered = option.Value is null ? option.Key : $"{option.Key}={option.Value}";
            actual[GroupOf(rendered)] = rendered;
        }

        var differences = new List<MountOptionDifference>();
        foreach (var (group, expected) in _expected)
        {
            var found = actual.GetValueOrDefault(group);
            if (!string.Equals(found, expected, StringComparison.Ordinal))
            {
                differences.Add(new MountOptionDifference(expected, found));
            }
        }

        return differences;
    }

    private static IEnumerable<string> Render(string name, string? value)
    {
        if (NeverShown.Contains(name) || name.StartsWith("x-", StringComparison.Ordinal))
        {
            return [];
        }

        return (name, value) switch
        {
            ("tcp" or "udp" or "rdma", null) => [$"proto={name}"],
            ("nfsvers", not null) => [$"vers={value}"],
            ("actimeo", not null) => AttributeCacheTimes.Select(t => $"{t}={value}"),
            (_, null) => [name],
            _ => [$"{name}={value}"],
        };
    }

    // hard/soft/softerr exclude each other, as do rw/ro; "noX" and "X" are one group; key=value groups by key.
    private static string GroupOf(string rendered)
    {
        var equals = rendered.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            return rendered[..equals];
        }

        return rendered switch
        {
            "hard" or "soft" or "softerr" => "hard",
            "rw" or "ro" => "rw",
            "sync" or "async" => "sync",
            _ when rendered.StartsWith("no", StringComparison.Ordinal) && rendered.Length > 2 => rendered[2..],
            _ => rendered,
        };
    }
}
