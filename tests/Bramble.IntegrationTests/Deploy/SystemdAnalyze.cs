using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bramble.IntegrationTests.Deploy;

/// <summary>Runs systemd-analyze with its standard output and standard error kept apart (verify warns only on stderr).</summary>
public static partial class SystemdAnalyze
{
    public const string Path = "/usr/bin/systemd-analyze";

    public static bool Installed => File.Exists(Path);

    public static string SkipReason => $"{Path} is missing (Debian package systemd); the unit checks need it";

    public static async Task<AnalyzeResult> RunAsync(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // No pager, no colours: the text is parsed.
        info.Environment["SYSTEMD_PAGER"] = string.Empty;
        info.Environment["SYSTEMD_COLORS"] = "0";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("systemd-analyze did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"systemd-analyze {string.Join(' ', info.ArgumentList)} did not finish within a minute");
        }

        return new AnalyzeResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The exposure `security` printed for the unit ("Overall exposure level for X: 2.4 OK").</summary>
    public static decimal Exposure(string unit, string output)
    {
        var match = ExposureLine().Match(output);
        Assert.True(match.Success && match.Groups["unit"].Value == unit, $"no exposure line for {unit} in:\n{output}");
        return decimal.Parse(match.Groups["score"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Overall exposure level for (?<unit>\S+): (?<score>\d+\.\d)")]
    private static partial Regex ExposureLine();
}

public sealed record AnalyzeResult(int ExitCode, string Output, string Error);
