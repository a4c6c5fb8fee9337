using System.Text.Json.Serialization;

namespace Bramble.Agent.Doctor;

/// <summary>A check's verdict. Only <see cref="Fail"/> makes `bramble-agent doctor` exit non-zero.</summary>
public enum DoctorStatus
{
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>The trap cannot occur here (no Wi-Fi, no k3s, no NFS mount): not a failure.</summary>
    [JsonStringEnumMemberName("not_applicable")]
    NotApplicable,

    /// <summary>The check applies but was not run (it would have to touch an NFS path, or is not built yet).</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    [JsonStringEnumMemberName("warn")]
    Warn,

    [JsonStringEnumMemberName("fail")]
    Fail,
}
