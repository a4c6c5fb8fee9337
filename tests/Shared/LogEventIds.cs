using System.Reflection;

namespace Bramble.Testing;

/// <summary>Every source-generated log method of an assembly, with its event id: ids must be unique to stay stable.</summary>
public static class LogEventIds
{
    public static IReadOnlyList<string> Duplicates(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        // By name, so projects without a logging reference can compile this shared file.
        return assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all).Select(m => (Method: $"{t.Name}.{m.Name}", EventId: EventIdOf(m))))
            .Where(x => x.EventId is not null)
            .GroupBy(x => x.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"event id {g.Key}: {string.Join(", ", g.Select(x => x.Method))}")
            .ToList();
    }

    private static int? EventIdOf(MethodInfo method)
    {
        var attribute = method.GetCustomAttributes(inherit: false).FirstOrDefault(a => a.GetType().Name == "LoggerMessageAttribute");
        return attribute?.GetType().GetProperty("EventId")?.GetValue(attribute) as int?;
    }
}
