namespace Collector.Search.Pipeline;

/// <summary>A template that cannot be parsed (<see cref="Offset"/> into the template text) or fails while
/// running.</summary>
public sealed class TemplateException(string message, int offset = 0) : Exception(message)
{
    public int Offset => offset;
}
