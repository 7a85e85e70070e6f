namespace Shared.Syslog;

/// <summary>
/// One SD-ELEMENT: its SD-ID and its parameters in the order they were written (names may repeat, §6.3.3).
/// </summary>
public sealed record StructuredDataElement(string Id, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    public StructuredDataElement(string id, params (string Name, string Value)[] parameters)
        : this(id, parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)).ToList())
    {
    }

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? this[string name] => Parameters.FirstOrDefault(p => p.Key == name).Value;
}
