namespace Bramble.Aggregator.Alerts;

/// <summary>A receiver did not take an entry after every retry; the entry stays in the outbox.</summary>
public sealed class AlertDeliveryException : Exception
{
    public AlertDeliveryException()
    {
    }

    public AlertDeliveryException(string message)
        : base(message)
    {
    }

    public AlertDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
