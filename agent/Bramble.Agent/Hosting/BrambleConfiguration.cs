namespace Bramble.Agent.Hosting;

/// <summary>Configuration sources in the documented order: later ones win.</summary>
public static class BrambleConfiguration
{
    public const string EnvironmentPrefix = "BRAMBLE_";
    public const string SystemDirectory = "/etc/bramble";

    /// <summary>appsettings.json beside the binary, /etc/bramble/*.json (sorted), BRAMBLE_* variables, command line.</summary>
    public static IConfigurationBuilder AddBrambleSources(this IConfigurationBuilder configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        if (Directory.Exists(SystemDirectory))
        {
            foreach (var file in Directory.GetFiles(SystemDirectory, "*.json").Order(StringComparer.Ordinal))
            {
                configuration.AddJsonFile(file, optional: true, reloadOnChange: false);
            }
        }

        return configuration.AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(args);
    }
}
