using System.Text.Json;
using Bramble.Cli;
using Bramble.Cli.Certs;
using Microsoft.Extensions.DependencyInjection;

// bramble: the aggregator's JSON API for people and scripts, and `bramble certs` (offline). Exit codes in ExitCodes.
if (args is ["certs", .. var certsArgs])
{
    try
    {
        return CertsCommand.Parse(certsArgs).Run(TimeProvider.System, Console.Out, Console.Error);
    }
    catch (CliUsageException e)
    {
        await Console.Error.WriteLineAsync($"bramble: {e.Message}\n\n{CertsCommand.Usage}");
        return ExitCodes.Usage;
    }
}

if (CliCommand.AsksForHelp(args))
{
    await Console.Out.WriteAsync(CliCommand.Usage + "\n");
    return ExitCodes.Ok;
}

CliCommand command;
try
{
    command = CliCommand.Parse(args, Environment.GetEnvironmentVariable);
}
catch (CliUsageException e)
{
    await Console.Error.WriteLineAsync($"bramble: {e.Message}\n\n{CliCommand.Usage}");
    return ExitCodes.Usage;
}

using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
using var http = services.GetRequiredService<IHttpClientFactory>().CreateClient();
http.Timeout = TimeSpan.FromSeconds(15);
try
{
    return await new CliRunner(new BrambleApiClient(http, command.Url), Console.Out, Console.Error).RunAsync(command, CancellationToken.None);
}
catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
{
    await Console.Error.WriteLineAsync($"bramble: {command.Url} failed: {e.Message}");
    return ExitCodes.Unreachable;
}
