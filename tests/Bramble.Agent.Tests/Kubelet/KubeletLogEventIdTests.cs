using System.Reflection;
using Bramble.Agent.Probes.Kubelet;
using Microsoft.Extensions.Logging;

namespace Bramble.Agent.Tests.Kubelet;

public sealed class KubeletLogEventIdTests
{
    [Fact]
    public void EveryKubeletLogMessage_UsesTheKubeletRange900To909()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var ids = typeof(KubeletProbe).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(KubeletProbe).Namespace)
            .SelectMany(t => t.GetMethods(all).Select(m => (Method: $"{t.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>())))
            .Where(x => x.Attribute is not null)
            .ToList();

        Assert.Contains(ids, x => x.Method.StartsWith(nameof(KubeletCertificateReader), StringComparison.Ordinal));
        Assert.All(ids, x => Assert.True(x.Attribute!.EventId is >= 900 and <= 909, $"{x.Method} logs with event id {x.Attribute.EventId}, outside the kubelet range 900-909"));
    }
}
