namespace Bramble.IntegrationTests.StatusPage;

/// <summary>A DevTools protocol call that failed or went unanswered.</summary>
public sealed class DevToolsException : Exception
{
    public DevToolsException()
    {
    }

    public DevToolsException(string message)
        : base(message)
    {
    }

    public DevToolsException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
