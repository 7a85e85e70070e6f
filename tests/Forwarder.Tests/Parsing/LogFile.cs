using System.Text;
using Forwarder.Parsing;

namespace Forwarder.Tests.Parsing;

/// <summary>
/// Feeds a parser the way the tailing loop does: physical lines split at '\n', with their file offsets.
/// </summary>
internal static class LogFile
{
    public static CollectingSink Parse(LogLineParser parser, string text, long startOffset = 0) =>
        Parse(parser, Encoding.UTF8.GetBytes(text), startOffset);

    public static CollectingSink Parse(LogLineParser parser, byte[] text, long startOffset = 0)
    {
        var sink = new CollectingSink();
        Feed(parser, text, sink, startOffset);
        return sink;
    }

    /// <summary>
    /// Feeds every complete line of <paramref name="text"/>; a last line without '\n' is not fed, as a tailer
    /// waits for it.
    /// </summary>
    public static void Feed(LogLineParser parser, ReadOnlySpan<byte> text, ILogEntrySink sink, long startOffset = 0)
    {
        long offset = startOffset;
        while (true)
        {
            int end = text.IndexOf((byte)'\n');
            if (end < 0)
            {
                return;
            }

            parser.ParseLine(text[..end], offset, end, sink);
            offset += end + 1;
            text = text[(end + 1)..];
        }
    }

    /// <summary>
    /// A docker json-file line as dockerd writes it (mklogs.py's shape), with <paramref name="log"/> already
    /// JSON-escaped.
    /// </summary>
    public static string Docker(string log, string stream = "stdout", string time = "2026-01-01T00:00:00.000001000Z") =>
        $"{{\"log\":\"{log}\",\"stream\":\"{stream}\",\"time\":\"{time}\"}}\n";

    public static string Cri(string content, string stream = "stdout", string tag = "F", string time = "2026-01-01T00:00:00.000001000Z") =>
        $"{time} {stream} {tag} {content}\n";
}
