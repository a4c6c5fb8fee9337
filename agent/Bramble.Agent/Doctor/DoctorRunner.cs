using Bramble.Agent.Doctor.Checks;

namespace Bramble.Agent.Doctor;

/// <summary>Runs every check once over one context; a check that throws becomes a warning and the others go on.</summary>
public static class DoctorRunner
{
    /// <summary>Every check, in the order they are printed.</summary>
    public static IReadOnlyList<IDoctorCheck> AllChecks { get; } =
    [
        new VipInterfaceCheck(),
        new WifiPowerSaveCheck(),
        new ArpSysctlCheck(),
        new IpvsStrictArpCheck(),
        new NfsLockingServicesCheck(),
        new NfsRootSquashCheck(),
        new NfsStateMountCheck(),
        new DhcpAddressCheck(),
        new TimeSyncOrderingCheck(),
        new SwapCheck(),
        new CgroupMemoryCheck(),
        new UnderVoltageCheck(),
        new CertificateExpiryCheck(),
    ];

    public static DoctorReport Run(string node, DoctorContext context, IReadOnlyList<IDoctorCheck>? checks = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var findings = new List<DoctorFinding>();
        foreach (var check in checks ?? AllChecks)
        {
            try
            {
                findings.AddRange(check.Run(context));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                findings.Add(new(check.Name, DoctorStatus.Warn, $"the check failed to run: {e.GetType().Name}: {e.Message}", "report this as a Bramble bug"));
            }
        }

        IReadOnlyList<CertificateEntry> certificates;
        try
        {
            certificates = CertificateCalendar.Collect(context).Certificates;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            certificates = [];
        }

        return new DoctorReport(node, context.Now, findings, certificates);
    }
}
