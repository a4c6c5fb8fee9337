using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.StatusPage;

/// <summary>
/// The status page as a person sees it: a real headless Chromium renders it with one firing incident, at phone and
/// desktop widths; the screenshots go to artifacts/test-results/screenshots and the rendered DOM must name the incident.
/// </summary>
public sealed class StatusPageScreenshotTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task StatusPage_WithAFiringIncident_RendersInChromium_AndNamesTheIncident()
    {
        Assert.SkipUnless(File.Exists(Chromium), "Chromium is not installed (Debian package chromium; ./test.sh installs it as root)");
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00");
        await aggregator.StartAsync();
        using var steady = AgentProcess.Start("pi-steady", aggregator.GrpcUrl, "--Agent:ReportInterval=00:00:00.5");
        using var frozen = AgentProcess.Start("pi-frozen", aggregator.GrpcUrl, "--Agent:ReportInterval=00:00:00.5");
        await AgentProcess.WaitConnectedAsync(steady);
        await AgentProcess.WaitConnectedAsync(frozen);
        await Eventually.WaitAsync(aggregator.NodesAsync, n => n.Count == 2 && n.All(x => x.LastSeq >= 2), TimeSpan.FromSeconds(20), "two agents reporting");

        frozen.Signal(Signals.Stop);
        try
        {
            await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing"), i => i.Count == 1, TimeSpan.FromSeconds(15), "AgentSilent firing");
            var folder = Directory.CreateDirectory(Path.Combine(RepoLayout.Root, "artifacts", "test-results", "screenshots")).FullName;
            var phone = Path.Combine(folder, "status-page-phone.png");
            var desktop = Path.Combine(folder, "status-page-desktop.png");

            await RunChromiumAsync($"--window-size=412,915", $"--screenshot={phone}", aggregator.HttpUrl + "/");
            await RunChromiumAsync($"--window-size=1280,800", $"--screenshot={desktop}", aggregator.HttpUrl + "/");
            var dom = await RunChromiumAsync("--dump-dom", aggregator.HttpUrl + "/");

            Assert.Contains("AgentSilent", dom, StringComparison.Ordinal);
            Assert.Contains("pi-frozen has not reported for", dom, StringComparison.Ordinal);
            Assert.Contains("1 open incident (1 firing)", dom, StringComparison.Ordinal);
            foreach (var png in new[] { phone, desktop })
            {
                var bytes = await File.ReadAllBytesAsync(png, TestContext.Current.CancellationToken);
                Assert.True(bytes.Length > 10_000, $"{png} is only {bytes.Length} bytes");
                Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            }

            TestContext.Current.SendDiagnosticMessage($"Screenshots: {phone}, {desktop}");
        }
        finally
        {
            frozen.Signal(Signals.Continue);
        }
    }

    /// <summary>Headless Chromium with everything that would reach beyond loopback switched off.</summary>
    private static async Task<string> RunChromiumAsync(params string[] arguments)
    {
        using var profile = new TempDirectory();
        using var chromium = ManagedProcess.Start("chromium", Chromium,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
            "--disable-features=Translate,MediaRouter,OptimizationHints", $"--user-data-dir={profile.Path}",
            .. arguments,
        ]);
        var exit = await chromium.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"chromium exited {exit}:\n{chromium.Output}");
        return chromium.Output;
    }
}
