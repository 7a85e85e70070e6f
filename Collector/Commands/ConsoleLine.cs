using System.Text;
using Collector.Storage;

namespace Collector.Commands;

/// <summary>
/// A stored line as <c>query</c> and <c>tail</c> print it, message first in either layout of the file format:
/// <c>TIMESTAMP HOST NAMESPACE/POD/CONTAINER STREAM: MSG</c> (the front of a message-first line), or
/// <c>TIMESTAMP HOST TAG MSG</c> for a line without a Kubernetes identity. MSG has its LF and TAB escapes undone, so a
/// multiline message prints as its lines; other control characters stay escaped (<c>#033</c>), so a log cannot drive
/// the terminal. Colours (ANSI) only when asked: the time dim, the pod cyan, the stream by severity.
/// </summary>
public static class ConsoleLine
{
    private const string Dim = "\u001b[2m";
    private const string Cyan = "\u001b[36m";
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";
    private const string Reset = "\u001b[0m";

    public static string Render(ReadOnlySpan<byte> line, bool colour)
    {
        var parsed = StoredLine.Parse(line);
        if (parsed.TimeNs == 0)
        {
            // Another format (traditional, rfc5424): as stored.
            return Encoding.UTF8.GetString(line);
        }

        string[] words = Encoding.UTF8.GetString(line[..FrontLength(line, parsed)]).Split(' ', 4);
        string time = words[0], host = words.Length > 1 ? words[1] : string.Empty;
        string who, what;
        if (parsed.MessageFirst)
        {
            who = words.Length > 2 ? words[2] : string.Empty;
            what = words.Length > 3 ? words[3].TrimEnd() : string.Empty;
        }
        else if (!parsed.Raw(LogLabel.Pod).IsEmpty || !parsed.Raw(LogLabel.Namespace).IsEmpty)
        {
            who = $"{Part(parsed.LabelString(LogLabel.Namespace))}/{Part(parsed.LabelString(LogLabel.Pod))}/" +
                $"{Part(parsed.LabelString(LogLabel.Container))}";
            what = $"{Part(parsed.LabelString(LogLabel.Severity))}:";
        }
        else
        {
            who = words.Length > 2 ? words[2] : string.Empty;
            what = string.Empty;
        }

        string message = Message(parsed.Message);
        var text = new StringBuilder(line.Length + 32);
        Append(text, time, colour ? Dim : null).Append(' ').Append(host).Append(' ');
        Append(text, who, colour ? Cyan : null);
        if (what.Length > 0)
        {
            text.Append(' ');
            Append(text, what, colour ? SeverityColour(parsed.Raw(LogLabel.Severity)) : null);
        }

        if (message.Length > 0)
        {
            text.Append(' ').Append(message);
        }

        return text.ToString();
    }

    /// <summary>The bytes before MSG in front: the whole front of a message-first line, else up to its tag.</summary>
    private static int FrontLength(ReadOnlySpan<byte> line, in StoredLine parsed)
    {
        if (parsed.MessageFirst)
        {
            int tab = line.LastIndexOf((byte)'\t');
            return tab - parsed.Message.Length;
        }

        // TIMESTAMP HOST TAG: three words.
        int end = 0;
        for (int word = 0; word < 3 && end < line.Length; word++)
        {
            int space = line[end..].IndexOf((byte)' ');
            end = space < 0 ? line.Length : end + space + 1;
        }

        return Math.Min(end, line.Length);
    }

    private static string Message(ReadOnlySpan<byte> escaped)
    {
        var plain = new byte[escaped.Length];
        int n = ControlCharacters.Unescape(escaped, plain);
        var kept = new byte[n * ControlCharacters.MaxExpansion];
        int written = 0;
        foreach (byte b in plain.AsSpan(0, n))
        {
            if (b is (byte)'\n' or (byte)'\t' || (b >= 0x20 && b != 0x7F))
            {
                kept[written++] = b;
            }
            else
            {
                written += ControlCharacters.WriteEscaped(kept.AsSpan(written), [b]);
            }
        }

        return Encoding.UTF8.GetString(kept, 0, written);
    }

    private static string Part(string value) => value.Length == 0 ? "-" : value;

    private static string? SeverityColour(ReadOnlySpan<byte> severity) => LogLabels.SeverityCode(severity) switch
    {
        >= 0 and <= 3 => Red,
        4 => Yellow,
        _ => null,
    };

    private static StringBuilder Append(StringBuilder text, string value, string? colour) =>
        colour is null ? text.Append(value) : text.Append(colour).Append(value).Append(Reset);
}
