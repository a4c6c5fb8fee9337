using Bramble.Agent.Linux.KernelLog;

namespace Bramble.Agent.Linux.Tests.KernelLog;

public sealed class KernelLogClassifierTests
{
    public static TheoryData<string, KernelLogEvent, string> Interesting => new()
    {
        { "nfs: server nas.lan not responding, still trying", KernelLogEvent.NfsServerNotResponding, "nas.lan" },
        { "nfs: server 192.0.2.10 not responding, timed out", KernelLogEvent.NfsServerNotResponding, "192.0.2.10" },
        { "nfs: server nas.lan OK", KernelLogEvent.NfsServerOk, "nas.lan" },
        { "mmc0: Timeout waiting for hardware interrupt.", KernelLogEvent.StorageTimeout, "mmc0" },
        { "mmc1: Timeout waiting for hardware cmd interrupt.", KernelLogEvent.StorageTimeout, "mmc1" },
        { "mmcblk0: error -110 sending status command, retrying", KernelLogEvent.StorageTimeout, "mmcblk0" },
        { "EXT4-fs error (device mmcblk0p2): ext4_find_entry:1455: inode #2: comm systemd: reading directory lblock 0", KernelLogEvent.FilesystemError, "mmcblk0p2" },
        { "blk_update_request: I/O error, dev mmcblk0, sector 1234567 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0", KernelLogEvent.FilesystemError, "mmcblk0" },
        { "I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 2", KernelLogEvent.FilesystemError, "sda" },
        { "Buffer I/O error on dev mmcblk0p2, logical block 98765, lost async page write", KernelLogEvent.FilesystemError, "mmcblk0p2" },
        { "EXT4-fs (mmcblk0p2): Remounting filesystem read-only", KernelLogEvent.RemountedReadOnly, "mmcblk0p2" },
        { "hwmon hwmon1: Undervoltage detected!", KernelLogEvent.UnderVoltage, "hwmon1" },
        { "Under-voltage detected! (0x00050005)", KernelLogEvent.UnderVoltage, "" },
    };

    [Theory]
    [MemberData(nameof(Interesting))]
    public void Classify_KernelWording_YieldsEventAndSubject(string text, KernelLogEvent expected, string subject)
    {
        Assert.Equal(new KernelLogLine(expected, subject), KernelLogClassifier.Classify(text));
    }

    [Theory]
    [InlineData("br0: port 2(p9) entered disabled state")]
    [InlineData("NFS: Registering the id_resolver key type")]
    [InlineData("mmc0: new high speed SDHC card at address aaaa")]
    [InlineData("EXT4-fs (mmcblk0p2): mounted filesystem with ordered data mode. Quota mode: none.")]
    [InlineData("Voltage normalised (0x00000000)")]
    [InlineData("lockd: server nas.lan OK")]
    public void Classify_OtherLines_AreNotReported(string text)
    {
        Assert.Null(KernelLogClassifier.Classify(text));
    }
}
