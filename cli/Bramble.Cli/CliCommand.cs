namespace Bramble.Cli;

/// <summary>One parsed command line: the verb, its argument and the shared options.</summary>
public sealed record CliCommand(string Verb, string? Id, bool All, bool Json, Uri Url, string? Token)
{
    public const string DefaultUrl = "http://127.0.0.1:9730";

    public const string Usage = """
        usage: bramble <verb> [options]
          status               nodes and open incidents; exit 1 when an incident is firing
          incidents [--all]    open incidents (--all: resolved ones too); exit 1 when one is firing
          remediations         remediation plans, newest first
          approve ID           approve a plan awaiting approval (needs the token)
          doctor               every node's preflight findings that are not ok; exit 1 when a check fails
          certs ...            make the cluster CA and certificates for mutual TLS (`bramble certs` for help)
        options:
          --url URL            the aggregator's HTTP address (env BRAMBLE_URL; default http://127.0.0.1:9730)
          --token TOKEN        bearer token for approve (env BRAMBLE_TOKEN)
          --json               print the aggregator's JSON instead of a table
        exit codes: 0 ok, 1 firing, 2 usage, 3 aggregator unreachable or failing, 4 request refused
        """;

    /// <summary>`bramble --help`, `-h` or `help` anywhere before a verb's own arguments: the usage on stdout, exit 0.</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Any(a => a is "--help" or "-h") || (args.Count > 0 && args[0] == "help");
    }

    /// <summary>Parses the arguments; environment values fill what the command line leaves out.</summary>
    public static CliCommand Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        string? verb = null, id = null, token = environment("BRAMBLE_TOKEN"), url = environment("BRAMBLE_URL");
        bool all = false, json = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--all": all = true; break;
                case "--json": json = true; break;
                case "--url": url = Value(args, ++i, "--url"); break;
                case "--token": token = Value(args, ++i, "--token"); break;
                case var a when a.StartsWith('-'): throw new CliUsageException($"unknown option {a}");
                case var a when verb is null: verb = a; break;
                case var a when verb == "approve" && id is null: id = a; break;
                case var a: throw new CliUsageException($"unexpected argument {a}");
            }
        }

        if (verb is not ("status" or "incidents" or "remediations" or "approve" or "doctor"))
        {
            throw new CliUsageException(verb is null ? "no verb given" : $"unknown verb {verb}");
        }

        if (verb == "approve" && string.IsNullOrEmpty(id))
        {
            throw new CliUsageException("approve needs the remediation's ID");
        }

        if (all && verb != "incidents")
        {
            throw new CliUsageException("--all belongs to incidents");
        }

        if (!Uri.TryCreate(string.IsNullOrEmpty(url) ? DefaultUrl : url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliUsageException($"--url must be an absolute http(s) URL (got {url})");
        }

        return new CliCommand(verb, id, all, json, uri, string.IsNullOrEmpty(token) ? null : token);
    }

    private static string Value(IReadOnlyList<string> args, int i, string option) =>
        i < args.Count ? args[i] : throw new CliUsageException($"{option} needs a value");
}
