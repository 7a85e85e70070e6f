namespace Forwarder.Multiline;

/// <summary>What a rule says of a line, given the event being built for its stream.</summary>
public enum LineVerdict
{
    /// <summary>The line begins a new event; the one being built is complete.</summary>
    Start,

    /// <summary>The line belongs to the event being built.</summary>
    Continue,

    /// <summary>
    /// The line belongs to the event only if a <see cref="Continue"/> line follows it: an exception's first line after
    /// a log message, a blank line inside a goroutine dump.
    /// </summary>
    Tentative,
}
