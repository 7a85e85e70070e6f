using System.Reflection;
using Microsoft.Extensions.Logging;

namespace TestSupport;

/// <summary>
/// Every <c>[LoggerMessage]</c> of a program's assemblies, read by reflection, so a test sees every log class, also
/// ones a later branch adds, and finds two messages that share an event id.
/// </summary>
public static class LogEventIds
{
    public static List<(int Id, string Method)> All(params Assembly[] assemblies) =>
        [.. from assembly in assemblies
            from type in assembly.GetTypes()
            from method in type.GetMethods(
                BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic
                | BindingFlags.DeclaredOnly)
            let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
            where attribute is not null
            select (attribute.EventId, $"{type.FullName}.{method.Name}")];

    /// <summary>One line per id used more than once or not set (0), naming the methods.</summary>
    public static List<string> Problems(IReadOnlyList<(int Id, string Method)> messages) =>
        [.. messages.Where(m => m.Id <= 0).Select(m => $"{m.Method} has no event id"),
         .. messages
             .GroupBy(m => m.Id)
             .Where(g => g.Key > 0 && g.Count() > 1)
             .Select(g => $"event id {g.Key} is used by {string.Join(", ", g.Select(m => m.Method))}")];
}
