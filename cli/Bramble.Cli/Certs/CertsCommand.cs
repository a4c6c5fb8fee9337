namespace Bramble.Cli.Certs;

/// <summary>`bramble certs init|node|server`: makes the cluster CA and the certificates for mutual TLS, offline.</summary>
public sealed record CertsCommand(string Action, IReadOnlyList<string> Names, string Directory, bool Force)
{
    public const string Usage = """
        usage: bramble certs <action> --dir DIR [--force]
          init                 a cluster CA (ECDSA P-256, 10 years): DIR/ca.crt, DIR/ca.key
          node NAME            a node's client certificate (CN and DNS name NAME, clientAuth, 2 years):
                               DIR/node-NAME.crt, DIR/node-NAME.key
          server HOST...       the aggregator's server certificate for these names and IP addresses
                               (serverAuth, 2 years): DIR/server.crt, DIR/server.key
        keys are written 0600; an existing file is never replaced without --force.
        exit codes: 0 written, 2 usage, 5 nothing written (a file exists, or no CA in DIR)
        """;

    public static CertsCommand Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? action = null, directory = null;
        var names = new List<string>();
        var force = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--force": force = true; break;
                case "--dir": directory = ++i < args.Count ? args[i] : throw new CliUsageException("--dir needs a value"); break;
                case var a when a.StartsWith('-'): throw new CliUsageException($"unknown option {a}");
                case var a when action is null: action = a; break;
                case var a: names.Add(a); break;
            }
        }

        switch (action)
        {
            case null: throw new CliUsageException("certs needs an action: init, node or server");
            case "init" when names.Count > 0: throw new CliUsageException($"unexpected argument {names[0]}");
            case "node" when names.Count != 1: throw new CliUsageException("certs node needs exactly one node name");
            case "node" when !ClusterCertificates.IsNodeName(names[0]):
                throw new CliUsageException($"'{names[0]}' is not a node name (a Kubernetes node name: lowercase letters, digits, '-' and '.')");
            case "server" when names.Count == 0: throw new CliUsageException("certs server needs at least one host name or IP address");
            case "init" or "node" or "server": break;
            default: throw new CliUsageException($"unknown certs action {action}");
        }

        return string.IsNullOrEmpty(directory)
            ? throw new CliUsageException("certs needs --dir DIR")
            : new CertsCommand(action, names, directory, force);
    }

    /// <summary>Makes and writes the files; returns the exit code, saying what was written or why nothing was.</summary>
    public int Run(TimeProvider time, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var files = new CertificateDirectory(Directory);
        var now = time.GetUtcNow();
        try
        {
            IReadOnlyList<string> written;
            switch (Action)
            {
                case "init":
                    using (var authority = ClusterCertificates.CreateAuthority("Bramble cluster CA", now))
                    {
                        written = files.Write(authority, files.AuthorityCertificate, files.AuthorityKey, Force);
                    }

                    break;
                case "node":
                    using (var authority = files.LoadAuthority())
                    using (var node = ClusterCertificates.IssueNode(authority, Names[0], now))
                    {
                        written = files.Write(node, files.NodeCertificate(Names[0]), files.NodeKey(Names[0]), Force);
                    }

                    break;
                default:
                    using (var authority = files.LoadAuthority())
                    using (var server = ClusterCertificates.IssueServer(authority, Names, now))
                    {
                        written = files.Write(server, files.ServerCertificate, files.ServerKey, Force);
                    }

                    break;
            }

            foreach (var path in written)
            {
                output.WriteLine($"wrote {path}");
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is CertificateFileException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"bramble: certs {Action}: {e.Message}");
            return ExitCodes.NotWritten;
        }
    }
}
