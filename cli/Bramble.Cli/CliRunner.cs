using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Bramble.Cli;

/// <summary>Runs one verb against the aggregator and prints a table (or the API's JSON); returns the exit code.</summary>
public sealed class CliRunner(BrambleApiClient api, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(CliCommand command, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Verb switch
        {
            "status" => await StatusAsync(command.Json, cancel),
            "incidents" => await IncidentsAsync(command.All, command.Json, cancel),
            "remediations" => await RemediationsAsync(command.Json, cancel),
            "doctor" => await DoctorAsync(command.Json, cancel),
            _ => await ApproveAsync(command.Id!, command.Token, command.Json, cancel),
        };
    }

    private async Task<int> StatusAsync(bool json, CancellationToken cancel)
    {
        var nodesJson = await api.GetAsync("/api/v1/nodes", cancel);
        var incidentsJson = await api.GetAsync("/api/v1/incidents?state=open", cancel);
        var incidents = Deserialize<IncidentRow[]>(incidentsJson);
        if (json)
        {
            await output.WriteLineAsync($"{{\"nodes\":{nodesJson},\"incidents\":{incidentsJson}}}");
            return FiringExit(incidents);
        }

        var nodes = Deserialize<NodeRow[]>(nodesJson);
        await output.WriteAsync(TextTable.Render(["NODE", "CONNECTED", "LAST REPORT", "SEQ", "AGENT"],
            nodes.Select(n => (IReadOnlyList<string>)[n.Name, n.Connected ? "yes" : "NO", Time(n.LastReportAt), n.LastSeq.ToString(CultureInfo.InvariantCulture), n.AgentVersion])));
        var firing = incidents.Count(i => i.State == "firing");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"\n{nodes.Length} nodes, {nodes.Count(n => !n.Connected)} disconnected; {firing} incidents firing, {incidents.Length - firing} pending"));
        foreach (var i in incidents.Where(i => i.State == "firing"))
        {
            await output.WriteLineAsync($"  FIRING {i.Severity} {i.Kind} {i.Subject}: {i.Summary}");
        }

        return FiringExit(incidents);
    }

    private async Task<int> IncidentsAsync(bool all, bool json, CancellationToken cancel)
    {
        var body = await api.GetAsync(all ? "/api/v1/incidents" : "/api/v1/incidents?state=open", cancel);
        var incidents = Deserialize<IncidentRow[]>(body);
        await output.WriteAsync(json
            ? body + "\n"
            : TextTable.Render(["ID", "KIND", "SEVERITY", "STATE", "SUBJECT", "STARTED", "SUMMARY"],
                incidents.Select(i => (IReadOnlyList<string>)[i.Id, i.Kind, i.Severity, i.State, i.Subject.ToString(), Time(i.StartedAt), i.Summary])));
        return FiringExit(incidents);
    }

    private async Task<int> RemediationsAsync(bool json, CancellationToken cancel)
    {
        var body = await api.GetAsync("/api/v1/remediations", cancel);
        var plans = Deserialize<PlanRow[]>(body);
        await output.WriteAsync(json
            ? body + "\n"
            : TextTable.Render(["ID", "STATUS", "KIND", "NODE", "ACTION", "STEP", "MODE", "PLANNED", "OUTCOME"],
                plans.OrderByDescending(p => p.PlannedAt).Select(p => (IReadOnlyList<string>)[p.Id, p.Status, p.Kind, p.Node, p.Action,
                    p.Step.ToString(CultureInfo.InvariantCulture), p.DryRun ? "dry-run" : "live", Time(p.PlannedAt), p.Outcome ?? "-"])));
        return ExitCodes.Ok;
    }

    private async Task<int> ApproveAsync(string id, string? token, bool json, CancellationToken cancel)
    {
        if (token is null)
        {
            await error.WriteLineAsync("bramble: approve needs the approval token (--token or BRAMBLE_TOKEN)");
            return ExitCodes.Usage;
        }

        var (status, body) = await api.PostAsync($"/api/v1/remediations/{Uri.EscapeDataString(id)}/approve", token, cancel);
        if (status == HttpStatusCode.OK)
        {
            var plan = Deserialize<PlanRow>(body);
            await output.WriteLineAsync(json ? body : $"approved {plan.Id}: {plan.Action} on {plan.Node} for {plan.Kind} (now {plan.Status})");
            return ExitCodes.Ok;
        }

        await error.WriteLineAsync($"bramble: approve {id} refused ({(int)status}): {ProblemDetail(body)}");
        return status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Conflict
            ? ExitCodes.Refused
            : ExitCodes.Unreachable;
    }

    // Exit 1 (as "firing") when a check failed on some node, like `bramble-agent doctor` on one node.
    private async Task<int> DoctorAsync(bool json, CancellationToken cancel)
    {
        var body = await api.GetAsync("/api/v1/doctor", cancel);
        var nodes = Deserialize<DoctorNodesRow>(body).Nodes;
        var failed = nodes.Any(n => n.Findings.Any(f => f.Status == "fail"));
        if (json)
        {
            await output.WriteAsync(body + "\n");
            return failed ? ExitCodes.Firing : ExitCodes.Ok;
        }

        var problems = nodes.SelectMany(n => n.Findings.Where(f => f.Status is "fail" or "warn" or "skipped").Select(f => (n.Node, f)))
            .OrderBy(p => p.f.Status == "fail" ? 0 : p.f.Status == "warn" ? 1 : 2).ThenBy(p => p.Node, StringComparer.Ordinal);
        await output.WriteAsync(TextTable.Render(["NODE", "STATUS", "CHECK", "EVIDENCE", "FIX"],
            problems.Select(p => (IReadOnlyList<string>)[p.Node, p.f.Status, p.f.Check, p.f.Evidence, p.f.Fix])));
        var soon = nodes.SelectMany(n => n.Certificates.Where(c => c.DaysLeft < 120).Select(c => (n.Node, c))).OrderBy(p => p.c.DaysLeft).ToArray();
        foreach (var (node, c) in soon)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  CERTIFICATE {node} {c.Path} ends {c.NotAfter:yyyy-MM-dd} ({c.DaysLeft} days)"));
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"\n{nodes.Length} nodes reported; {nodes.Sum(n => n.Findings.Count(f => f.Status == "fail"))} failed checks, {nodes.Sum(n => n.Findings.Count(f => f.Status == "warn"))} warnings, {soon.Length} certificates within 120 days"));
        return failed ? ExitCodes.Firing : ExitCodes.Ok;
    }

    private static int FiringExit(IncidentRow[] incidents) => incidents.Any(i => i.State == "firing") ? ExitCodes.Firing : ExitCodes.Ok;

    private static T Deserialize<T>(string body) => JsonSerializer.Deserialize<T>(body, ApiJson.Options) ?? throw new JsonException("the aggregator answered null");

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string ProblemDetail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
