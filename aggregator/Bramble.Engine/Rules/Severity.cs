namespace Bramble.Engine.Rules;

public enum Severity
{
    Info,
    Warning,
    Critical,
}
