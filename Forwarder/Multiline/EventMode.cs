namespace Forwarder.Multiline;

/// <summary>
/// What kind of event is being built, for rules whose continuation lines are only recognisable in context (a Python
/// frame is any indented line, but only after "Traceback (most recent call last):").
/// </summary>
public enum EventMode : byte
{
    None,

    /// <summary>
    /// After "Traceback (most recent call last):": frames and code, indented, then the exception line.
    /// </summary>
    PythonTraceback,

    /// <summary>After a traceback's exception line: a chained traceback may follow.</summary>
    PythonAfterException,

    /// <summary>A Go panic, fatal error or goroutine dump.</summary>
    Go,

    /// <summary>Node's uncaught error: the source line, its code and caret, then the error.</summary>
    NodeSource,

    /// <summary>After a Node.js frame: "Node.js vX" or the error's properties may follow.</summary>
    NodeFrames,

    /// <summary>Inside the "{ … }" of properties printed after a Node.js error's last frame.</summary>
    NodeProperties,

    /// <summary>Microsoft.Extensions.Logging console format: lines indented by 6 belong to the header.</summary>
    DotNetConsole,
}
