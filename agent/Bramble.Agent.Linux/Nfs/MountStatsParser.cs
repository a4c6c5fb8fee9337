using System.Globalization;

namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// Reads /proc/self/mountstats (fs/nfs/super.c nfs_show_stats). Only NFS devices have a body. Fields are split on
/// any run of whitespace: the kernel indents with tabs and pads op names with spaces, and copies of the file
/// (procfs test data among them) mix the two.
/// </summary>
public static class MountStatsParser
{
    public static IReadOnlyList<NfsDeviceStats> Parse(string? text)
    {
        var devices = new List<NfsDeviceStats>();
        if (text is null)
        {
            return devices;
        }

        DeviceBuilder? current = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var fields = rawLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields[0] == "device")
            {
                if (current is not null)
                {
                    devices.Add(current.Build());
                }

                current = DeviceBuilder.Start(fields);
                continue;
            }

            current?.Add(fields);
        }

        if (current is not null)
        {
            devices.Add(current.Build());
        }

        return devices;
    }

    /// <summary>A kernel counter: an unsigned 64-bit decimal (they wrap, and procfs's own sample has one near 2^64).</summary>
    public static bool TryParseCounter(string text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private sealed class DeviceBuilder
    {
        private readonly List<NfsOperationStats> _operations = [];
        private string _options = string.Empty;
        private ulong? _age;
        private NfsTransportStats? _transport;
        private bool _inPerOpSection;

        private DeviceBuilder(string device, string mountPoint, string fsType, string statsVersion)
        {
            Device = device;
            MountPoint = mountPoint;
            FsType = fsType;
            StatsVersion = statsVersion;
        }

        private string Device { get; }

        private string MountPoint { get; }

        private string FsType { get; }

        private string StatsVersion { get; }

        // "device SRV:/export mounted on /mnt with fstype nfs statvers=1.1"; non-NFS devices stop after the type.
        public static DeviceBuilder? Start(string[] fields)
        {
            if (fields.Length < 8 || fields[2] != "mounted" || fields[3] != "on" || fields[5] != "with" || fields[6] != "fstype")
            {
                return null;
            }

            if (!MountInfoParser.IsNfs(fields[7]))
            {
                return null;
            }

            var statsVersion = fields.Length > 8 && fields[8].StartsWith("statvers=", StringComparison.Ordinal)
                ? fields[8]["statvers=".Length..]
                : string.Empty;
            return new DeviceBuilder(KernelEscapes.Unescape(fields[1]), KernelEscapes.Unescape(fields[4]), fields[7], statsVersion);
        }

        public void Add(string[] fields)
        {
            if (fields is ["per-op", "statistics"])
            {
                _inPerOpSection = true;
                return;
            }

            if (_inPerOpSection)
            {
                AddOperation(fields);
                return;
            }

            switch (fields[0])
            {
                case "opts:" when fields.Length > 1:
                    _options = fields[1];
                    break;
                case "age:" when fields.Length > 1 && TryParseCounter(fields[1], out var age):
                    _age = age;
                    break;
                case "xprt:":
                    _transport = NfsTransportStats.Parse(fields[1..]);
                    break;
                default:
                    break;
            }
        }

        public NfsDeviceStats Build() =>
            new(Device, MountPoint, FsType, StatsVersion, _options, _age, _operations, _transport);

        private void AddOperation(string[] fields)
        {
            // "WRITE: 1 2 3 4 5 6 7 8 [9]"; anything else (a future section) is not an operation.
            if (fields.Length is not (9 or 10) || !fields[0].EndsWith(':'))
            {
                return;
            }

            var numbers = new ulong[fields.Length - 1];
            for (var i = 0; i < numbers.Length; i++)
            {
                if (!TryParseCounter(fields[i + 1], out numbers[i]))
                {
                    return;
                }
            }

            _operations.Add(new NfsOperationStats(
                fields[0][..^1], numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6], numbers[7],
                numbers.Length == 9 ? numbers[8] : null));
        }
    }
}
