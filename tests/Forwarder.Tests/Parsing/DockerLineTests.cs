using System.Text;
using Forwarder.Parsing;
using static Forwarder.Tests.Parsing.LogFile;

namespace Forwarder.Tests.Parsing;

public sealed class DockerLineTests
{
    private const int Max = 1024 * 1024;

    [Fact]
    public void ReadsTheLineDockerWritesWithItsTimeAndStream()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max),
            "{\"log\":\"id=000000001 len=10 abcdefghij END\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00.000001000Z\"}\n");

        var entry = sink.Single;
        Assert.Equal("id=000000001 len=10 abcdefghij END", entry.Text);
        Assert.Equal("2026-01-01T00:00:00.000001000Z", entry.Timestamp);
        Assert.Equal(LogStream.Stdout, entry.Stream);
        Assert.Equal(entry.Content.Length, entry.OriginalLength);
        Assert.False(entry.Truncated || entry.Partial || entry.Malformed);
    }

    [Fact]
    public void ReadsStderrLines()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), Docker("panic: oops\\n", "stderr"));

        Assert.Equal(LogStream.Stderr, sink.Single.Stream);
        Assert.Equal("panic: oops", sink.Single.Text);
    }

    [Theory]
    [InlineData("{\"stream\":\"stderr\",\"time\":\"2026-01-01T00:00:00Z\",\"log\":\"reordered\\n\"}")]
    [InlineData(
        "{\"log\":\"reordered\\n\",\"stream\":\"stderr\",\"attrs\":{\"tag\":\"web\",\"n\":[1,2,{\"x\":null}]}," +
        "\"time\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{ \"log\" : \"reordered\\n\" , \"stream\" : \"stderr\" , \"time\" : \"2026-01-01T00:00:00Z\" }\r")]
    [InlineData("{\"log\":\"reordered\\n\",\"stream\":\"stderr\",\"time\":\"2026-01-01T00:00:00Z\",\"extra\":true}")]
    public void ReadsKeysInAnyOrderWithExtraKeysAndWhitespace(string line)
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), line + "\n");

        var entry = sink.Single;
        Assert.Equal("reordered", entry.Text);
        Assert.Equal(LogStream.Stderr, entry.Stream);
        Assert.Equal("2026-01-01T00:00:00Z", entry.Timestamp);
        Assert.False(entry.Malformed);
    }

    [Theory]
    [InlineData("say \\\"hi\\\"\\n", "say \"hi\"")]
    [InlineData("C:\\\\temp\\\\x\\n", "C:\\temp\\x")]
    [InlineData("a\\tb\\/c\\bd\\fe\\rf\\n", "a\tb/c\bd\fe\rf")]
    [InlineData("\\u001b[31mred\\u001b[0m\\n", "\u001b[31mred\u001b[0m")]
    [InlineData("\\u003chtml\\u003e \\u0026amp;\\n", "<html> &amp;")]
    [InlineData("nul:\\u0000:end\\n", "nul:\0:end")]
    [InlineData("\\u00e9\\u65e5\\u672c\\n", "é日本")]
    [InlineData("smile \\ud83d\\ude00!\\n", "smile 😀!")]
    [InlineData("é日本語ü raw UTF-8\\n", "é日本語ü raw UTF-8")]
    [InlineData("lone \\ud83d and \\ude00\\n", "lone \uFFFD and \uFFFD")]
    [InlineData("two lines\\nin one\\n", "two lines\nin one")]
    [InlineData("literal \\\\n\\n", "literal \\n")]
    public void DecodesJsonEscapesToUtf8(string escaped, string expected)
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), Docker(escaped));

        Assert.Equal(Encoding.UTF8.GetBytes(expected), sink.Single.Content);
        Assert.False(sink.Single.Partial);
    }

    [Fact]
    public void AnEscapedBackslashBeforeNIsNotTheEndOfTheMessage()
    {
        var parser = new LogLineParser(LogFormat.Docker, Max);

        var sink = Parse(parser, Docker("ends in a backslash and n \\\\n"));

        Assert.Empty(sink.Entries);
        Assert.Equal(0, parser.PendingOffset);
    }

    [Fact]
    public void DropsTheCarriageReturnOfACrLfLine()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), Docker("windows line\\r\\n"));

        Assert.Equal("windows line", sink.Single.Text);
        Assert.Equal(12, sink.Single.OriginalLength);
    }

    [Fact]
    public void AnEmptyLogLineIsAnEmptyEntry()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), Docker("\\n"));

        Assert.Empty(sink.Single.Content);
        Assert.False(sink.Single.Malformed);
    }

    [Fact]
    public void JoinsTheSixteenKibibyteFragmentsDockerSplitsALongLineInto()
    {
        string message = Text(40_000);
        var parser = new LogLineParser(LogFormat.Docker, Max);
        var sink = new CollectingSink();
        var fragments = Split(message, 16 * 1024);
        for (int i = 0; i < fragments.Count; i++)
        {
            string log = i == fragments.Count - 1 ? fragments[i] + "\\n" : fragments[i];
            Feed(parser, Encoding.UTF8.GetBytes(Docker(log, time: $"2026-01-01T00:00:0{i}.000000001Z")), sink);
        }

        var entry = sink.Single;
        Assert.Equal(message, entry.Text);
        Assert.Equal("2026-01-01T00:00:00.000000001Z", entry.Timestamp);
        Assert.Equal(40_000, entry.OriginalLength);
        Assert.False(entry.Truncated || entry.Partial);
        Assert.Null(parser.PendingOffset);
    }

    [Fact]
    public void JoinsAOneMebibyteMessageSplitIntoSixtyFourFragments()
    {
        string message = Text(1024 * 1024);
        var lines = new StringBuilder();
        var fragments = Split(message, 16 * 1024);
        Assert.Equal(64, fragments.Count);
        for (int i = 0; i < fragments.Count; i++)
        {
            lines.Append(Docker(i == fragments.Count - 1 ? fragments[i] + "\\n" : fragments[i]));
        }

        var sink = Parse(new LogLineParser(LogFormat.Docker, 2 * 1024 * 1024), lines.ToString());

        Assert.Equal(message, sink.Single.Text);
        Assert.False(sink.Single.Truncated);
    }

    [Fact]
    public void KeepsStdoutAndStderrFragmentsApartWhenTheyInterleave()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max),
            Docker("out-1 ", "stdout", "2026-01-01T00:00:01Z")
            + Docker("err-1 ", "stderr", "2026-01-01T00:00:02Z")
            + Docker("out-2 ", "stdout", "2026-01-01T00:00:03Z")
            + Docker("err-2\\n", "stderr", "2026-01-01T00:00:04Z")
            + Docker("out-3\\n", "stdout", "2026-01-01T00:00:05Z"));

        Assert.Collection(
            sink.Entries,
            e =>
            {
                Assert.Equal(LogStream.Stderr, e.Stream);
                Assert.Equal("err-1 err-2", e.Text);
                Assert.Equal("2026-01-01T00:00:02Z", e.Timestamp);
            },
            e =>
            {
                Assert.Equal(LogStream.Stdout, e.Stream);
                Assert.Equal("out-1 out-2 out-3", e.Text);
                Assert.Equal("2026-01-01T00:00:01Z", e.Timestamp);
            });
    }

    [Fact]
    public void DecodesEscapesInsideFragments()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), Docker("tab\\there \\ud83d\\ude00 ") + Docker("\\\"end\\\"\\r\\n"));

        Assert.Equal("tab\there 😀 \"end\"", sink.Single.Text);
    }

    [Theory]
    [InlineData("{\"log\":\"no end")]
    [InlineData("{\"log\":\"bad escape \\x\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"log\":42,\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"} trailing")]
    [InlineData("plain text in a docker file")]
    [InlineData("[\"log\"]")]
    public void KeepsALineThatIsNotDockerJsonRawAsMalformed(string line)
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), line + "\n");

        var entry = sink.Single;
        Assert.True(entry.Malformed);
        Assert.Equal(line, entry.Text);
        Assert.Equal(LogStream.Unknown, entry.Stream);
        Assert.Equal("", entry.Timestamp);
    }

    [Fact]
    public void AnEmptyLineInADockerFileIsKeptAsAnEmptyMalformedEntry()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), "\n");

        Assert.True(sink.Single.Malformed);
        Assert.Empty(sink.Single.Content);
    }

    [Fact]
    public void AnUnknownStreamNameIsReadAsUnknown()
    {
        var sink = Parse(new LogLineParser(LogFormat.Docker, Max), Docker("x\\n", "stdin"));

        Assert.Equal(LogStream.Unknown, sink.Single.Stream);
        Assert.False(sink.Single.Malformed);
    }

    internal static string Text(int length)
    {
        const string Pattern = "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ_";
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            text.Append(Pattern, 0, Math.Min(Pattern.Length, length - text.Length));
        }

        return text.ToString();
    }

    internal static List<string> Split(string text, int size)
    {
        var parts = new List<string>();
        for (int i = 0; i < text.Length; i += size)
        {
            parts.Add(text.Substring(i, Math.Min(size, text.Length - i)));
        }

        return parts;
    }
}
