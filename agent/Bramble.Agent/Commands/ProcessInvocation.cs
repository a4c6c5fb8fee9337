namespace Bramble.Agent.Commands;

/// <summary>One program and its argument vector (never a shell line), and what it gets on standard input.</summary>
/// <param name="Environment">Variables added to the minimal environment every action process gets (see <see cref="ActionEnvironment"/>).</param>
public sealed record ProcessInvocation(string FileName, IReadOnlyList<string> Arguments, string? StandardInput = null, IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>For the audit trail and dry runs: "systemctl restart kubelet.service".</summary>
    public override string ToString() => Arguments.Count == 0 ? FileName : $"{FileName} {string.Join(' ', Arguments)}";
}
