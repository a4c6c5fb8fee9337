namespace Bramble.Engine.Rules;

/// <summary>One true statement about the cluster right now, with the facts behind it.</summary>
public sealed record Finding(string Kind, Subject Subject, Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)
{
    /// <summary>Identifies the condition across passes: the same kind about the same subject.</summary>
    public string Key => KeyOf(Kind, Subject);

    public static string KeyOf(string kind, Subject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return $"{kind}|{subject.Key}";
    }
}
