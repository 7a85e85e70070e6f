using System.Text;
using Forwarder.Multiline;
using Forwarder.Parsing;

namespace Forwarder.Tests.Multiline;

/// <summary>
/// Feeds lines to a <see cref="MultilineJoiner"/> as the tailer does (each at the next file offset, read at the
/// clock's time) and keeps a copy of every event it sends.
/// </summary>
internal sealed class JoinedEvents : IJoinedEventSink
{
    private readonly MultilineJoiner _joiner;
    private long _offset;

    public JoinedEvents(MultilineRule rule, int maxBytes = 1 << 20, int maxLines = 500, TimeSpan? flushTimeout = null, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        _joiner = new MultilineJoiner(rule, maxBytes, maxLines, flushTimeout ?? TimeSpan.FromSeconds(1));
    }

    public static JoinedEvents Auto() => new(new PresetRule(MultilinePresets.All));

    public TimeProvider Time { get; }

    public List<JoinedEvent> Events { get; } = [];

    public IEnumerable<string> Texts => Events.Select(e => e.Text);

    public MultilineJoiner Joiner => _joiner;

    /// <summary>File offsets after each line fed so far.</summary>
    public List<long> Ends { get; } = [];

    public long Now => Time.GetTimestamp() * 1000 / Time.TimestampFrequency;

    public JoinedEvents Feed(LogStream stream, params string[] lines)
    {
        foreach (string line in lines)
        {
            byte[] content = Encoding.UTF8.GetBytes(line);
            long end = _offset + content.Length + 1;
            _joiner.Add(new LogEntry { Stream = stream, Content = content, OriginalLength = content.Length, Offset = _offset }, end, Now, this);
            _offset = end;
            Ends.Add(end);
        }

        return this;
    }

    public JoinedEvents Feed(params string[] lines) => Feed(LogStream.Stdout, lines);

    /// <summary>Feeds a whole text, one line per '\n' (a trailing newline ends the last line).</summary>
    public JoinedEvents FeedText(string text) => Feed(LogStream.Stdout, text.TrimEnd('\n').Split('\n'));

    public JoinedEvents FlushAll()
    {
        _joiner.FlushAll(Now, this);
        return this;
    }

    public void Emit(in LogEntry entry, long end) => Events.Add(new JoinedEvent(
        Encoding.UTF8.GetString(entry.Content), entry.Stream, entry.Offset, end, entry.OriginalLength, entry.Truncated));
}

internal sealed record JoinedEvent(string Text, LogStream Stream, long Offset, long End, long OriginalLength, bool Truncated);
