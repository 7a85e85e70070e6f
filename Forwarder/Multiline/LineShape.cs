using System.Runtime.CompilerServices;

namespace Forwarder.Multiline;

/// <summary>
/// Byte-level tests for the shapes stack traces are made of. Hand-written rather than regular expressions: they run on
/// every line with <c>auto</c>, most lines fail at the first byte, and none allocates.
/// </summary>
internal static class LineShape
{
    /// <summary>Leading spaces and tabs.</summary>
    public static int Indent(ReadOnlySpan<byte> line)
    {
        int i = 0;
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// Java and .NET: <c>com.shop.Cart.add(Cart.java:42)</c>, <c>java.base/java.lang.Thread.run(Thread.java:833)
    /// ~[na:na]</c>, <c>Shop.Cart.Add(Int32 id) in /src/Cart.cs:line 42</c>. The name before the parenthesis has a dot
    /// and no space, which prose ("at least once (…)") never has.
    /// </summary>
    public static bool IsQualifiedFrame(ReadOnlySpan<byte> frame)
    {
        int open = frame.IndexOf((byte)'(');
        if (open <= 0)
        {
            return false;
        }

        var name = frame[..open];
        if (name.IndexOfAny((byte)' ', (byte)'\t') >= 0 || name.IndexOf((byte)'.') < 0 || !IsNameStart(name[0]))
        {
            return false;
        }

        int close = frame.LastIndexOf((byte)')');
        if (close < open)
        {
            return false;
        }

        var tail = frame[(close + 1)..];
        // "<---" closes an inner exception in AggregateException.ToString().
        return tail.IsEmpty || tail.SequenceEqual("<---"u8)
            || (tail.StartsWith(" in "u8) && tail.IndexOf(":line "u8) > 0)
            || ((tail.StartsWith(" ~["u8) || tail.StartsWith(" ["u8)) && tail[^1] == ']');
    }

    /// <summary>
    /// Node.js (V8): <c>Object.&lt;anonymous&gt; (/app/index.js:3:11)</c>, <c>async Promise.all (index 0)</c>,
    /// <c>/app/index.js:3:11</c>, <c>JSON.parse (&lt;anonymous&gt;)</c>; a frame may end in " {" when the error has
    /// properties printed after it.
    /// </summary>
    public static bool IsNodeFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.EndsWith(" {"u8))
        {
            frame = frame[..^2];
        }

        if (frame.IndexOf((byte)' ') < 0)
        {
            return EndsWithLineAndColumn(frame, requireColumn: true);
        }

        int open = frame.IndexOf(" ("u8);
        if (open <= 0 || frame[^1] != ')')
        {
            return false;
        }

        var location = frame[(open + 2)..^1];
        return EndsWithLineAndColumn(location, requireColumn: true)
            || location.SequenceEqual("<anonymous>"u8)
            || location.SequenceEqual("native"u8)
            || location.StartsWith("eval at "u8)
            || (location.StartsWith("index "u8) && AllDigits(location[6..]));
    }

    /// <summary>Ruby: <c>from /app/cart.rb:12:in `add'</c> (the text after "from ").</summary>
    public static bool IsRubyFrom(ReadOnlySpan<byte> frame)
    {
        int @in = frame.IndexOf(":in "u8);
        if (@in <= 0 || frame.IndexOf((byte)' ') < @in)
        {
            return false;
        }

        int colon = frame[..@in].LastIndexOf((byte)':');
        return colon > 0 && AllDigits(frame[(colon + 1)..@in]);
    }

    /// <summary>
    /// Java <c>... 12 more</c> and <c>... 12 common frames omitted</c> (logback), Ruby <c>... 5 levels...</c>, Node
    /// <c>... 4 lines matching cause stack trace ...</c> (the text after the indent).
    /// </summary>
    public static bool IsOmittedFrames(ReadOnlySpan<byte> rest)
    {
        if (!rest.StartsWith("... "u8))
        {
            return false;
        }

        var count = rest[4..];
        int digits = 0;
        while (digits < count.Length && char.IsAsciiDigit((char)count[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return false;
        }

        var after = count[digits..];
        return after.SequenceEqual(" more"u8)
            || after.SequenceEqual(" common frames omitted"u8)
            || after.SequenceEqual(" levels..."u8)
            || after.StartsWith(" lines matching cause stack trace"u8);
    }

    /// <summary>
    /// <c>java.lang.IllegalStateException: no cart</c>, <c>System.InvalidOperationException</c>: a dotted name
    /// whose last part names an exception, alone or before ": ".
    /// </summary>
    public static bool IsQualifiedExceptionHeader(ReadOnlySpan<byte> line)
    {
        // Scanned from the start, so a log line stops at its first space or '=' rather than searched for a ':'.
        if (line.IsEmpty || !IsNameStart(line[0]))
        {
            return false;
        }

        int end = 1;
        int lastDot = -1;
        while (end < line.Length && (IsNamePart(line[end]) || line[end] == '.'))
        {
            if (line[end] == '.')
            {
                lastDot = end;
            }

            end++;
        }

        // The name is the whole line, or ends at a ':' that ends the line or has a space after it.
        if (lastDot < 0 || (end < line.Length && (line[end] != ':' || (end + 1 < line.Length && line[end + 1] != ' '))))
        {
            return false;
        }

        var last = line[(lastDot + 1)..end];
        return last.EndsWith("Exception"u8) || last.EndsWith("Error"u8) || last.EndsWith("Throwable"u8)
            || last.EndsWith("Fault"u8) || last.EndsWith("Failure"u8);
    }

    /// <summary>
    /// Python's last traceback line: <c>ValueError: bad</c>, <c>KeyboardInterrupt</c>,
    /// <c>requests.exceptions.ConnectionError: …</c>: a (dotted) name alone or before ":".
    /// </summary>
    public static bool IsPythonExceptionLine(ReadOnlySpan<byte> line)
    {
        int colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        if (name.IsEmpty || !IsNameStart(name[0]))
        {
            return false;
        }

        foreach (byte b in name)
        {
            if (!IsNamePart(b) && b != '.')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Node's uncaught error header (<c>TypeError: x</c>, <c>Error [ERR_X]: x</c>, <c>SystemError: x</c>).
    /// </summary>
    public static bool IsJsErrorHeader(ReadOnlySpan<byte> line)
    {
        int colon = line.IndexOf(": "u8);
        if (colon <= 0)
        {
            return false;
        }

        var name = line[..colon];
        int bracket = name.IndexOf(" ["u8);
        if (bracket > 0 && name[^1] == ']')
        {
            name = name[..bracket];
        }

        foreach (byte b in name)
        {
            if (!IsNamePart(b))
            {
                return false;
            }
        }

        return name.EndsWith("Error"u8) || name.EndsWith("Exception"u8);
    }

    /// <summary>
    /// Go: <c>main.main()</c>, <c>net/http.(*conn).serve(0xc0001a2000, {0x8d2f30, 0xc000290000})</c>,
    /// <c>panic({0x47dee0?, 0xc000012018?})</c>.
    /// </summary>
    public static bool IsGoFunction(ReadOnlySpan<byte> line)
    {
        int open = line.IndexOf((byte)'(');
        if (open <= 0)
        {
            return false;
        }

        var name = line[..open];
        // "net/http.(*conn).serve(…)": the name ends at the first parenthesis, "net/http.", which is enough.
        if (name.IndexOfAny((byte)' ', (byte)'\t') >= 0 || (name.IndexOf((byte)'.') < 0 && !name.SequenceEqual("panic"u8)))
        {
            return false;
        }

        return line[^1] == ')' || line.EndsWith(", ...)"u8) || line.EndsWith("...)"u8);
    }

    /// <summary>Go's register dump after a signal: <c>rax    0x0</c>.</summary>
    public static bool IsGoRegister(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        if (space is <= 0 or > 6)
        {
            return false;
        }

        var value = line[space..].TrimStart((byte)' ');
        return value.StartsWith("0x"u8) && value.IndexOf((byte)' ') < 0;
    }

    /// <summary><c>goroutine 7 [chan receive]:</c>, <c>goroutine 1 gp=0xc000002380 m=0 mp=0x… [running]:</c>.</summary>
    public static bool IsGoroutineHeader(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("goroutine "u8) || line[^1] != ':')
        {
            return false;
        }

        var number = line[10..];
        int digits = 0;
        while (digits < number.Length && char.IsAsciiDigit((char)number[digits]))
        {
            digits++;
        }

        return digits > 0 && digits < number.Length && number[digits] == ' ';
    }

    /// <summary>
    /// Node's first line for an uncaught error: where it was thrown, <c>/app/index.js:3</c> or
    /// <c>node:internal/process/promises:288</c>.
    /// </summary>
    public static bool IsJsSourceLocation(ReadOnlySpan<byte> line)
    {
        // ":digits" at the end first: most lines end otherwise, and are ruled out before being searched for a space.
        int colon = line.Length - 1;
        while (colon >= 0 && IsDigit(line[colon]))
        {
            colon--;
        }

        if (colon <= 0 || colon == line.Length - 1 || line[colon] != ':')
        {
            return false;
        }

        var file = line[..colon];
        return (file.StartsWith("node:"u8) || file.EndsWith(".js"u8) || file.EndsWith(".mjs"u8) || file.EndsWith(".cjs"u8)
                || file.EndsWith(".ts"u8))
            && file.IndexOfAny((byte)' ', (byte)'\t') < 0;
    }

    /// <summary>
    /// Microsoft.Extensions.Logging's console format: <c>fail: Shop.Cart[0]</c>, the message indented by 6 on the lines
    /// after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDotNetConsoleHeader(ReadOnlySpan<byte> line) =>
        line.Length > 8
        && line[4] == ':' && line[5] == ' '
        && (line.StartsWith("fail"u8) || line.StartsWith("crit"u8) || line.StartsWith("warn"u8)
            || line.StartsWith("info"u8) || line.StartsWith("dbug"u8) || line.StartsWith("trce"u8))
        && line[^1] == ']' && line[6..].IndexOf((byte)' ') < 0;

    /// <summary>A line of only '^' (and spaces): Python's and Node's pointer under the failing code.</summary>
    public static bool IsCaret(ReadOnlySpan<byte> rest) => !rest.IsEmpty && rest.Trim((byte)' ').IndexOfAnyExcept((byte)'^', (byte)'~') < 0;

    private static bool EndsWithLineAndColumn(ReadOnlySpan<byte> location, bool requireColumn)
    {
        int last = location.LastIndexOf((byte)':');
        if (last <= 0 || !AllDigits(location[(last + 1)..]))
        {
            return false;
        }

        if (!requireColumn)
        {
            return true;
        }

        int line = location[..last].LastIndexOf((byte)':');
        return line > 0 && AllDigits(location[(line + 1)..last]);
    }

    private static bool AllDigits(ReadOnlySpan<byte> text) => !text.IsEmpty && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    // Inlined arithmetic (char's helpers were not inlined here): they run over the first bytes of every line with auto.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsNameStart(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a' || b is (byte)'_' or (byte)'$';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsNamePart(byte b) => IsNameStart(b) || IsDigit(b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
