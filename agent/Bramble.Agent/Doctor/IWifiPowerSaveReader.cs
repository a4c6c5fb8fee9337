namespace Bramble.Agent.Doctor;

/// <summary>Whether Wi-Fi power save is on for an interface: true, false, or null with the reason it is unknown.</summary>
public interface IWifiPowerSaveReader
{
    (bool? On, string How) Read(string interfaceName);
}
