using Microsoft.Extensions.Configuration;

namespace Bramble.Common.Hosting;

/// <summary>
/// Configuration sources in the documented order, later ones winning; shared (as linked source) by both programs.
/// </summary>
public static class BrambleConfiguration
{
    public const string EnvironmentPrefix = "BRAMBLE_";
    public const string SystemDirectory = "/etc/bramble";

    /// <summary>EX_CONFIG from sysexits.h: units stop restarting on it (RestartPreventExitStatus=78).</summary>
    public const int ConfigurationErrorExitCode = 78;

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

    /// <summary>One line per failure on stderr, each naming the key; returns the exit code to use.</summary>
    public static int ReportConfigurationErrors(string program, IEnumerable<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"{program}: invalid configuration: {failure}");
        }

        return ConfigurationErrorExitCode;
    }
}
