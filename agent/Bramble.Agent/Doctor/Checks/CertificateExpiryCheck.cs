namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// The certificate calendar's verdict: the soonest-expiring certificate decides (fail within 7 days or expired, warn
/// within 120: k3s renews at its next start within 120 days, kubeadm only on `kubeadm certs renew` or an upgrade).
/// </summary>
public sealed class CertificateExpiryCheck : IDoctorCheck
{
    public string Name => "certificates";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (certificates, skipped) = CertificateCalendar.Collect(context);
        var findings = new List<DoctorFinding>();
        if (skipped.Count > 0)
        {
            findings.Add(new(Name, DoctorStatus.Skipped, $"skipped: not read on NFS: {string.Join(", ", skipped)}", "keep cluster state on local storage"));
        }

        if (certificates.Count == 0)
        {
            if (findings.Count == 0)
            {
                findings.Add(new(Name, DoctorStatus.NotApplicable, "no k3s or kubeadm certificate on this node"));
            }

            return findings;
        }

        var soonest = certificates[0];
        var counts = $"{certificates.Count} certificates; soonest {soonest.Path} ({soonest.Subject}) on {soonest.NotAfter:yyyy-MM-dd}, in {soonest.DaysLeft} days";
        findings.Add(soonest.Status switch
        {
            DoctorStatus.Fail => new(Name, DoctorStatus.Fail, counts, "renew now: k3s: `k3s certificate rotate` and restart; kubeadm: `kubeadm certs renew all` and restart the control plane"),
            DoctorStatus.Warn => new(Name, DoctorStatus.Warn, counts, soonest.DaysLeft < CertificateCalendar.WarningDays[1]
                ? "renew within days: restart k3s (it renews within 120 days) or `kubeadm certs renew all`"
                : "plan a renewal: restart k3s (it renews within 120 days) or `kubeadm certs renew all`"),
            _ => new(Name, DoctorStatus.Ok, counts),
        });
        return findings;
    }
}
