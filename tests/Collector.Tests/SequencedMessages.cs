using System.Text;
using System.Text.RegularExpressions;

namespace Collector.Tests;

/// <summary>
/// Numbered RFC 5424 messages whose stored line is known exactly, so a test can check that every message arrived
/// once and unmodified. Every 1000th body is 8 KiB, every 10,000th 32 KiB, every 100th starts with UTF-8.
/// </summary>
public static partial class SequencedMessages
{
    private const string Pattern = "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ_";

    public static string Body(int stream, int seq)
    {
        int size = seq % 10_000 == 9_999 ? 32 * 1024 : seq % 1_000 == 999 ? 8 * 1024 : 200;
        var body = new StringBuilder(size + 16);
        if (seq % 100 == 42)
        {
            body.Append("é日本語ü ");
        }

        while (body.Length < size)
        {
            body.Append(Pattern, 0, Math.Min(Pattern.Length, size - body.Length));
        }

        return $"stream={stream} seq={seq:D9} {body} END";
    }

    public static byte[] Message(int stream, int seq) =>
        Encoding.UTF8.GetBytes($"<134>1 2026-11-22T10:00:00.000001Z node-{stream} app {stream} ID{seq % 10} - {Body(stream, seq)}");

    /// <summary>The line the default "file" format stores for <see cref="Message"/>.</summary>
    public static string ExpectedLine(int stream, int seq) =>
        $"2026-11-22T10:00:00.000001Z node-{stream} app[{stream}]: local0.info ID{seq % 10} - {Body(stream, seq)}";

    public static byte[] Frame(int stream, int seq, bool octetCounted)
    {
        var message = Message(stream, seq);
        return octetCounted
            ? [.. Encoding.ASCII.GetBytes($"{message.Length} "), .. message]
            : [.. message, (byte)'\n'];
    }

    /// <summary>
    /// Sends messages <paramref name="first"/>..<paramref name="first"/>+<paramref name="count"/>-1 in large writes.
    /// </summary>
    public static async Task SendAsync(Stream stream, int streamId, int first, int count, bool octetCounted)
    {
        var buffer = new MemoryStream();
        for (int seq = first; seq < first + count; seq++)
        {
            buffer.Write(Frame(streamId, seq, octetCounted));
            if (buffer.Length >= 256 * 1024)
            {
                await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
                buffer.SetLength(0);
            }
        }

        await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        await stream.FlushAsync();
    }

    /// <summary>
    /// Checks the stored lines of the given streams: each (stream, seq) below its count appears exactly once, after
    /// the stream's previous one, and equals its expected line. Any other line is a problem too (a stray, another
    /// stream, a seq never sent), unless <paramref name="isOther"/> says the test accounts for it itself.
    /// Returns a description of what is wrong, or null.
    /// </summary>
    public static string? Verify(IEnumerable<string> lines, IReadOnlyDictionary<int, int> countPerStream, Func<string, bool>? isOther = null)
    {
        var seen = new HashSet<(int, int)>();
        var last = new Dictionary<int, int>();
        var problems = new List<string>();
        foreach (var line in lines)
        {
            if (isOther?.Invoke(line) == true)
            {
                continue;
            }

            var match = Key().Match(line);
            int stream = match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
            int seq = match.Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
            if (!countPerStream.TryGetValue(stream, out int count) || seq >= count)
            {
                problems.Add($"unexpected line: {Truncate(line)}");
                continue;
            }

            // One connection per stream: TCP keeps its order, and storage must too.
            if (last.TryGetValue(stream, out int previous) && seq < previous)
            {
                problems.Add($"out of order stream={stream} seq={seq} after seq={previous}");
            }

            last[stream] = seq;
            if (!seen.Add((stream, seq)))
            {
                problems.Add($"duplicate stream={stream} seq={seq}");
            }
            else if (line != ExpectedLine(stream, seq))
            {
                problems.Add($"changed stream={stream} seq={seq}: {Truncate(line)}");
            }
        }

        foreach (var (stream, count) in countPerStream)
        {
            int missing = Enumerable.Range(0, count).Count(seq => !seen.Contains((stream, seq)));
            if (missing > 0)
            {
                problems.Add($"stream {stream}: {missing} of {count} missing");
            }
        }

        return problems.Count == 0 ? null : string.Join("\n", problems.Take(10));
    }

    private static string Truncate(string line) => line.Length > 200 ? line[..200] + "…" : line;

    [GeneratedRegex(@"stream=(\d+) seq=(\d{9}) ")]
    private static partial Regex Key();
}
