namespace Bramble.Cli;

/// <summary>What an incident is about; absent parts are left out when printed.</summary>
public sealed record SubjectRow(string? Node, string? Mount, string? Vip, string? Server)
{
    public override string ToString() => string.Join(' ', new[] { Node, Mount, Vip, Server }.Where(p => !string.IsNullOrEmpty(p)));
}
