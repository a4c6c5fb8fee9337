namespace Bramble.Cli.Tests;

/// <summary>Command-line parsing: verbs, options, environment fallbacks and the usage errors (exit 2).</summary>
public sealed class CliCommandTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    private static CliCommand Parse(string line, Dictionary<string, string>? environment = null) =>
        CliCommand.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), k => (environment ?? NoEnvironment).GetValueOrDefault(k));

    [Theory]
    [InlineData("status", "status", null, false, false, "http://127.0.0.1:9730/")]
    [InlineData("incidents --all --json", "incidents", null, true, true, "http://127.0.0.1:9730/")]
    [InlineData("--json remediations --url http://agg.lan:9730", "remediations", null, false, true, "http://agg.lan:9730/")]
    [InlineData("approve rem-1 --token secret", "approve", "rem-1", false, false, "http://127.0.0.1:9730/")]
    [InlineData("doctor --json", "doctor", null, false, true, "http://127.0.0.1:9730/")]
    public void Parse_ValidLines_ReadVerbAndOptions(string line, string verb, string? id, bool all, bool json, string url)
    {
        var command = Parse(line);

        Assert.Equal((verb, id, all, json, url), (command.Verb, command.Id, command.All, command.Json, command.Url.ToString()));
    }

    [Theory]
    [InlineData("--help", true)]
    [InlineData("-h", true)]
    [InlineData("help", true)]
    [InlineData("status --help", true)]
    [InlineData("approve help", false)]
    [InlineData("status", false)]
    [InlineData("", false)]
    public void AsksForHelp_HelpFlagsAndVerb(string line, bool help)
    {
        Assert.Equal(help, CliCommand.AsksForHelp(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void Parse_EnvironmentGivesUrlAndToken_CommandLineWins()
    {
        var environment = new Dictionary<string, string> { ["BRAMBLE_URL"] = "http://env:1", ["BRAMBLE_TOKEN"] = "from-env" };

        Assert.Equal(("http://env:1/", "from-env"), (Parse("approve x", environment).Url.ToString(), Parse("approve x", environment).Token));
        Assert.Equal(("http://cli:2/", "from-cli"), (Parse("approve x --url http://cli:2 --token from-cli", environment).Url.ToString(), Parse("approve x --url http://cli:2 --token from-cli", environment).Token));
    }

    [Theory]
    [InlineData("", "no verb given")]
    [InlineData("frobnicate", "unknown verb frobnicate")]
    [InlineData("approve", "approve needs the remediation's ID")]
    [InlineData("status --all", "--all belongs to incidents")]
    [InlineData("status --verbose", "unknown option --verbose")]
    [InlineData("status extra", "unexpected argument extra")]
    [InlineData("status --url", "--url needs a value")]
    [InlineData("status --url ftp://x", "--url must be an absolute http(s) URL (got ftp://x)")]
    public void Parse_BadLines_SayWhy(string line, string message)
    {
        Assert.Equal(message, Assert.Throws<CliUsageException>(() => Parse(line)).Message);
    }

    [Fact]
    public void Render_Rows_AlignColumnsWithoutTrailingSpaces()
    {
        var text = TextTable.Render(["ID", "KIND", "SUMMARY"], [["a", "KubeletDown", "down"], ["long-id", "X", ""]]);

        Assert.Equal("ID       KIND         SUMMARY\na        KubeletDown  down\nlong-id  X\n", text);
    }
}
