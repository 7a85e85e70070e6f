using System.Text;
using Forwarder.Multiline;
using Forwarder.Parsing;

namespace Forwarder.Tests.Multiline;

/// <summary>
/// Between BeginChunk and EndChunk a line waiting for the next one points into the tailer's read buffer instead of
/// being copied; these tests reuse the buffer after each chunk, as the tailing loop does for the next file or chunk, so
/// an event that still pointed into it would arrive with other bytes.
/// </summary>
public sealed class MultilineJoinerChunkTests
{
    private const string Time = "2026-12-06T09:00:00.123456789Z";

    [Fact]
    public void LinesThatGoOutAloneAreSentFromTheChunkWithTheirOwnTextAndTime()
    {
        var chunks = new Chunks();
        chunks.Read(LogStream.Stdout, "GET /a 200", "GET /b 200", "GET /c 200");
        chunks.Read(LogStream.Stdout, "GET /d 200");
        chunks.FlushAll();

        Assert.Equal(
            [("GET /a 200", Time + "0"), ("GET /b 200", Time + "1"), ("GET /c 200", Time + "2"), ("GET /d 200", Time + "3")],
            chunks.Events.Select(e => (e.Text, e.Timestamp)));
    }

    [Fact]
    public void ALineStillWaitingWhenTheChunkEndsIsCopiedBeforeTheBufferIsReused()
    {
        var chunks = new Chunks();
        chunks.Read(LogStream.Stdout, "INFO started", "ERROR Checkout failed");

        // The next chunk overwrites the buffer; the held line was copied at the end of the chunk before it.
        chunks.Read(LogStream.Stdout, "INFO next request");
        chunks.FlushAll();

        Assert.Equal(
            [("INFO started", Time + "0"), ("ERROR Checkout failed", Time + "1"), ("INFO next request", Time + "2")],
            chunks.Events.Select(e => (e.Text, e.Timestamp)));
    }

    [Fact]
    public void ATraceWhoseFirstLineEndsOneChunkIsJoinedWithTheFramesOfTheNext()
    {
        var chunks = new Chunks();
        chunks.Read(LogStream.Stdout, "GET /a 200", "ERROR Checkout failed");
        chunks.Read(LogStream.Stdout, "java.lang.IllegalStateException: cart 42 is empty", "\tat com.shop.Cart.checkout(Cart.java:118)");
        chunks.Read(LogStream.Stdout, "\tat com.shop.Main.main(Main.java:9)", "INFO next request");
        chunks.FlushAll();

        Assert.Equal(
            [
                ("GET /a 200", Time + "0"),
                (
                    "ERROR Checkout failed\njava.lang.IllegalStateException: cart 42 is empty\n"
                        + "\tat com.shop.Cart.checkout(Cart.java:118)\n\tat com.shop.Main.main(Main.java:9)",
                    Time + "1"),
                ("INFO next request", Time + "5"),
            ],
            chunks.Events.Select(e => (e.Text, e.Timestamp)));
    }

    [Fact]
    public void ATraceJoinedInsideOneChunkKeepsItsFirstLineAfterTheChunk()
    {
        var chunks = new Chunks();
        chunks.Read(LogStream.Stdout, "ERROR Checkout failed", "java.lang.IllegalStateException: empty",
            "\tat com.shop.Cart.checkout(Cart.java:118)");
        chunks.Read(LogStream.Stdout, "\tat com.shop.Main.main(Main.java:9)", "INFO next request");
        chunks.FlushAll();

        Assert.Equal(
            [
                "ERROR Checkout failed\njava.lang.IllegalStateException: empty\n\tat com.shop.Cart.checkout(Cart.java:118)\n"
                    + "\tat com.shop.Main.main(Main.java:9)",
                "INFO next request",
            ],
            chunks.Events.Select(e => e.Text));
    }

    [Fact]
    public void LinesWaitingBehindTheOtherStreamAreCopiedBeforeTheBufferIsReused()
    {
        var chunks = new Chunks();

        // The stderr line may begin a trace that ends after the stdout lines, so they wait (in the order of ends).
        chunks.Read((LogStream.Stderr, "connection reset"), (LogStream.Stdout, "GET /a 200"), (LogStream.Stdout, "GET /b 200"));
        chunks.Read((LogStream.Stderr, "retrying"), (LogStream.Stdout, "GET /c 200"));
        chunks.FlushAll();

        Assert.Equal(
            [
                ("connection reset", LogStream.Stderr, Time + "0"),
                ("GET /a 200", LogStream.Stdout, Time + "1"),
                ("GET /b 200", LogStream.Stdout, Time + "2"),
                ("retrying", LogStream.Stderr, Time + "3"),
                ("GET /c 200", LogStream.Stdout, Time + "4"),
            ],
            chunks.Events.Select(e => (e.Text, e.Stream, e.Timestamp)));
    }

    [Fact]
    public void AnEventFlushedBeforeTheChunkEndsIsSentFromTheChunk()
    {
        var chunks = new Chunks();
        chunks.ReadWithoutEnd(LogStream.Stdout, "only line");
        chunks.FlushAll();
        chunks.End();

        Assert.Equal([("only line", Time + "0")], chunks.Events.Select(e => (e.Text, e.Timestamp)));
    }

    [Fact]
    public void LinesOutsideTheChunkAreCopiedAsBefore()
    {
        // A reassembled or unescaped entry lies in the parser's buffers, not in the chunk.
        var chunks = new Chunks();
        chunks.Begin();
        chunks.AddOutside(LogStream.Stdout, "from the parser's buffer");
        chunks.End();
        chunks.Read(LogStream.Stdout, "next");
        chunks.FlushAll();

        Assert.Equal(["from the parser's buffer", "next"], chunks.Events.Select(e => e.Text));
    }

    /// <summary>
    /// Feeds lines as the tailer does: each chunk's lines and times lie in one shared buffer, the joiner is told when
    /// the chunk begins and ends, and after the end the buffer is filled with other bytes.
    /// </summary>
    private sealed class Chunks : IJoinedEventSink
    {
        private readonly byte[] _buffer = new byte[4096];
        private readonly MultilineJoiner _joiner = new(new PresetRule(MultilinePresets.All), 1 << 20, 500, TimeSpan.FromSeconds(1));
        private long _offset;
        private int _lines;

        public List<(string Text, LogStream Stream, string Timestamp)> Events { get; } = [];

        public void Read(LogStream stream, params string[] lines) => Read([.. lines.Select(l => (stream, l))]);

        public void Read(params (LogStream Stream, string Text)[] lines) => Read(lines, end: true);

        /// <summary>The chunk's lines, with the chunk not ended yet.</summary>
        public void ReadWithoutEnd(LogStream stream, params string[] lines) => Read([.. lines.Select(l => (stream, l))], end: false);

        private void Read((LogStream Stream, string Text)[] lines, bool end)
        {
            var placed = new List<(int TimeAt, int TimeLength, int TextAt, int TextLength, LogStream Stream)>();
            int at = 0;
            foreach (var (stream, text) in lines)
            {
                byte[] time = Encoding.UTF8.GetBytes(Time + _lines++);
                byte[] bytes = Encoding.UTF8.GetBytes(text);
                time.CopyTo(_buffer, at);
                bytes.CopyTo(_buffer, at + time.Length + 1);
                placed.Add((at, time.Length, at + time.Length + 1, bytes.Length, stream));
                at += time.Length + 1 + bytes.Length + 1;
            }

            Begin();
            foreach (var (timeAt, timeLength, textAt, textLength, stream) in placed)
            {
                long lineEnd = _offset + (textAt + textLength + 1 - timeAt);
                _joiner.Add(
                    new LogEntry
                    {
                        Stream = stream,
                        Timestamp = _buffer.AsSpan(timeAt, timeLength),
                        Content = _buffer.AsSpan(textAt, textLength),
                        OriginalLength = textLength,
                        Offset = _offset,
                    },
                    lineEnd,
                    0,
                    this);
                _offset = lineEnd;
            }

            if (end)
            {
                End();
            }
        }

        public void AddOutside(LogStream stream, string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            byte[] time = Encoding.UTF8.GetBytes(Time + _lines++);
            long end = _offset + bytes.Length + 1;
            var entry = new LogEntry { Stream = stream, Timestamp = time, Content = bytes, OriginalLength = bytes.Length, Offset = _offset };
            _joiner.Add(entry, end, 0, this);
            _offset = end;

            // The parser reuses its buffers for the next entry.
            Array.Fill(bytes, (byte)'#');
            Array.Fill(time, (byte)'#');
        }

        public void Begin() => _joiner.BeginChunk(_buffer);

        public void End()
        {
            _joiner.EndChunk();
            Array.Fill(_buffer, (byte)'#');
        }

        public void FlushAll() => _joiner.FlushAll(0, this);

        public void Emit(in LogEntry entry, long end) =>
            Events.Add((Encoding.UTF8.GetString(entry.Content), entry.Stream, Encoding.UTF8.GetString(entry.Timestamp)));
    }
}
