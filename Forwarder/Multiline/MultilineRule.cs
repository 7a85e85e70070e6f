namespace Forwarder.Multiline;

/// <summary>Decides, line by line, where one stream's events begin.</summary>
public abstract class MultilineRule
{
    /// <summary>
    /// Classifies <paramref name="line"/> against an event in <paramref name="mode"/>; <paramref name="next"/> is the
    /// event's mode after it (for <see cref="LineVerdict.Start"/>, the new event's).
    /// </summary>
    public abstract LineVerdict Classify(ReadOnlySpan<byte> line, EventMode mode, out EventMode next);

    /// <summary>The mode of an event that begins with <paramref name="line"/>.</summary>
    public abstract EventMode StartMode(ReadOnlySpan<byte> line);
}
