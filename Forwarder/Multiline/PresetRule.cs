namespace Forwarder.Multiline;

/// <summary>
/// The built-in stack-trace shapes. A line continues an event only when it has a shape no ordinary log line has (an
/// indented "at" frame with a qualified name, "Caused by: ", "---> "), or when the event's mode says so (indented lines
/// after "Traceback (most recent call last):", anything Go prints after "panic: "). Everything else starts a new
/// event, so logs without traces are never joined.
/// </summary>
public sealed class PresetRule(MultilinePresets presets) : MultilineRule
{
    private static ReadOnlySpan<byte> PythonHeader => "Traceback (most recent call last):"u8;

    // Python 3.11+: an ExceptionGroup's traceback is drawn indented, in a box.
    private static ReadOnlySpan<byte> PythonGroupHeader => "+ Exception Group Traceback (most recent call last):"u8;

    public MultilinePresets Presets { get; } = presets;

    public override LineVerdict Classify(ReadOnlySpan<byte> line, EventMode mode, out EventMode next)
    {
        int indent = LineShape.Indent(line);
        var rest = line[indent..];
        if (mode != EventMode.None && ClassifyInMode(line, indent, rest, mode, out next) is { } verdict)
        {
            return verdict;
        }

        next = mode is EventMode.NodeSource or EventMode.NodeProperties or EventMode.DotNetConsole ? EventMode.None : mode;
        if (rest.IsEmpty)
        {
            // Spring's "… with root cause" + blank line + the exception: the blank line is held with the header.
            if (line.IsEmpty && Has(MultilinePresets.Java | MultilinePresets.DotNet))
            {
                return LineVerdict.Tentative;
            }

            next = StartMode(line);
            return LineVerdict.Start;
        }

        if (ContinuesByShape(line, indent, rest, ref next) is { } shaped)
        {
            return shaped;
        }

        next = StartMode(line);
        return LineVerdict.Start;
    }

    public override EventMode StartMode(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return EventMode.None;
        }

        // Each header begins with its own byte: most lines are ruled out by their first one.
        byte first = line[0];
        if (Has(MultilinePresets.Python)
            && ((first == 'T' && line.SequenceEqual(PythonHeader))
                || (first is (byte)' ' or (byte)'+' && line.TrimStart((byte)' ').SequenceEqual(PythonGroupHeader))))
        {
            return EventMode.PythonTraceback;
        }

        if (Has(MultilinePresets.Go)
            && first is (byte)'p' or (byte)'f' or (byte)'g' or (byte)'S'
            && (line.StartsWith("panic: "u8) || line.StartsWith("fatal error: "u8) || LineShape.IsGoroutineHeader(line)
                || (line.StartsWith("SIG"u8) && line.IndexOf(": "u8) is > 3 and < 10)))
        {
            return EventMode.Go;
        }

        if (Has(MultilinePresets.Node) && LineShape.IsJsSourceLocation(line))
        {
            return EventMode.NodeSource;
        }

        if (Has(MultilinePresets.DotNet) && LineShape.IsDotNetConsoleHeader(line))
        {
            return EventMode.DotNetConsole;
        }

        return EventMode.None;
    }

    /// <summary>
    /// The shapes that continue an event in any mode, looked up by the first byte after the indent (every one of them
    /// begins with its own), so an ordinary line costs one switch and, when it begins with a letter, one short scan.
    /// </summary>
    private LineVerdict? ContinuesByShape(ReadOnlySpan<byte> line, int indent, ReadOnlySpan<byte> rest, ref EventMode next)
    {
        switch (rest[0])
        {
            case (byte)'a':
                if (indent > 0 && rest.StartsWith("at "u8))
                {
                    var frame = rest[3..];
                    if (Has(MultilinePresets.Java | MultilinePresets.DotNet) && LineShape.IsQualifiedFrame(frame))
                    {
                        return LineVerdict.Continue;
                    }

                    if (Has(MultilinePresets.Node) && LineShape.IsNodeFrame(frame))
                    {
                        next = frame.EndsWith(" {"u8) ? EventMode.NodeProperties : EventMode.NodeFrames;
                        return LineVerdict.Continue;
                    }
                }

                break;
            case (byte)'C':
                if (Has(MultilinePresets.Java) && rest.StartsWith("Caused by: "u8))
                {
                    return LineVerdict.Continue;
                }

                break;
            case (byte)'S':
                if (Has(MultilinePresets.Java) && indent > 0 && rest.StartsWith("Suppressed: "u8))
                {
                    return LineVerdict.Continue;
                }

                break;
            case (byte)'.':
                // Java's "... 12 more", Ruby's "... 5 levels...", Node's "... 4 lines matching cause stack trace ...".
                if (Has(MultilinePresets.Java | MultilinePresets.Ruby | MultilinePresets.Node) && indent > 0
                    && LineShape.IsOmittedFrames(rest))
                {
                    return LineVerdict.Continue;
                }

                break;
            case (byte)'-':
                if (Has(MultilinePresets.DotNet)
                    && ((rest.StartsWith("---> "u8)
                            && (rest[5..].StartsWith("(Inner Exception #"u8) || LineShape.IsQualifiedExceptionHeader(rest[5..])))
                        || rest.StartsWith("--- End of inner exception stack trace ---"u8)
                        || rest.StartsWith("--- End of stack trace from previous location"u8)))
                {
                    return LineVerdict.Continue;
                }

                break;
            case (byte)'f':
                if (Has(MultilinePresets.Ruby) && indent > 0 && rest.StartsWith("from "u8) && LineShape.IsRubyFrom(rest[5..]))
                {
                    return LineVerdict.Continue;
                }

                break;
            case (byte)'T':
                if (Has(MultilinePresets.Python) && indent == 0 && line.SequenceEqual(PythonHeader))
                {
                    next = EventMode.PythonTraceback;
                    return LineVerdict.Tentative;
                }

                break;
            case (byte)'+':
                if (Has(MultilinePresets.Python) && rest.SequenceEqual(PythonGroupHeader))
                {
                    next = EventMode.PythonTraceback;
                    return LineVerdict.Tentative;
                }

                break;
        }

        // An exception's first line after the message that reported it ("ERROR Checkout failed" + "java.lang.X: …"):
        // joined only when a frame follows, so a log line that merely names an exception stays alone.
        if (indent == 0 && Has(MultilinePresets.Java | MultilinePresets.DotNet) && LineShape.IsQualifiedExceptionHeader(line))
        {
            next = EventMode.None;
            return LineVerdict.Tentative;
        }

        return null;
    }

    private static LineVerdict? ClassifyInMode(ReadOnlySpan<byte> line, int indent, ReadOnlySpan<byte> rest, EventMode mode, out EventMode next)
    {
        next = mode;
        switch (mode)
        {
            case EventMode.PythonTraceback:
                if (indent > 0 && !rest.IsEmpty)
                {
                    return LineVerdict.Continue;
                }

                if (indent == 0 && LineShape.IsPythonExceptionLine(line))
                {
                    next = EventMode.PythonAfterException;
                    return LineVerdict.Continue;
                }

                break;
            case EventMode.PythonAfterException:
                if (line.IsEmpty)
                {
                    return LineVerdict.Tentative;
                }

                if (line.StartsWith("During handling of the above exception"u8)
                    || line.StartsWith("The above exception was the direct cause"u8))
                {
                    return LineVerdict.Continue;
                }

                if (line.SequenceEqual(PythonHeader))
                {
                    next = EventMode.PythonTraceback;
                    return LineVerdict.Continue;
                }

                break;
            case EventMode.Go:
                if (line.IsEmpty)
                {
                    return LineVerdict.Tentative;
                }

                if (indent > 0 || LineShape.IsGoroutineHeader(line) || LineShape.IsGoFunction(line) || LineShape.IsGoRegister(line)
                    || line.StartsWith("created by "u8) || line.StartsWith("[signal "u8) || line.StartsWith("runtime stack:"u8)
                    || line.StartsWith("...additional frames elided..."u8) || line.StartsWith("PC="u8)
                    || line.StartsWith("exit status "u8))
                {
                    return LineVerdict.Continue;
                }

                break;
            case EventMode.NodeSource:
                if (line.IsEmpty)
                {
                    return LineVerdict.Tentative;
                }

                if (indent > 0 || LineShape.IsCaret(rest))
                {
                    return LineVerdict.Continue;
                }

                if (LineShape.IsJsErrorHeader(line))
                {
                    next = EventMode.NodeFrames;
                    return LineVerdict.Continue;
                }

                break;
            case EventMode.NodeFrames:
                if (line.IsEmpty)
                {
                    return LineVerdict.Tentative;
                }

                if (line.StartsWith("Node.js v"u8))
                {
                    next = EventMode.None;
                    return LineVerdict.Continue;
                }

                break;
            case EventMode.NodeProperties:
                if (line.SequenceEqual("}"u8))
                {
                    next = EventMode.NodeFrames;
                    return LineVerdict.Continue;
                }

                if (indent > 0)
                {
                    return LineVerdict.Continue;
                }

                break;
            case EventMode.DotNetConsole:
                if (line.StartsWith("      "u8))
                {
                    return LineVerdict.Continue;
                }

                break;
        }

        return null;
    }

    private bool Has(MultilinePresets preset) => (Presets & preset) != 0;
}
