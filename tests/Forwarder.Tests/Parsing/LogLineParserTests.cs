using System.Text;
using Forwarder.Parsing;
using static Forwarder.Tests.Parsing.LogFile;

namespace Forwarder.Tests.Parsing;

public sealed class LogLineParserTests
{
    private const int Max = 1024 * 1024;

    [Fact]
    public void DetectsDockerFromTheFirstLine()
    {
        var parser = new LogLineParser(LogFormat.Auto, Max);
        Assert.Equal(LogFormat.Auto, parser.Format);

        var sink = Parse(parser, Docker("hello\\n"));

        Assert.Equal(LogFormat.Docker, parser.Format);
        Assert.Equal("hello", sink.Single.Text);
    }

    [Fact]
    public void DetectsCriFromTheFirstLine()
    {
        var parser = new LogLineParser(LogFormat.Auto, Max);

        var sink = Parse(parser, Cri("hello"));

        Assert.Equal(LogFormat.Cri, parser.Format);
        Assert.Equal(LogStream.Stdout, sink.Single.Stream);
    }

    [Theory]
    [InlineData("Jan  1 00:00:00 host app: hello")]
    [InlineData("{\"level\":\"info\",\"msg\":\"an application's own JSON log\"}")]
    [InlineData("2026-01-01T00:00:00Z some text")]
    public void DetectsPlainTextWhenTheFirstLineIsNeitherFormat(string line)
    {
        var parser = new LogLineParser(LogFormat.Auto, Max);

        var sink = Parse(parser, line + "\n" + Docker("later\\n"));

        Assert.Equal(LogFormat.Plain, parser.Format);
        Assert.Equal(2, sink.Entries.Count);
        Assert.All(sink.Entries, e => Assert.False(e.Malformed));
        Assert.Equal(line, sink.Entries[0].Text);
    }

    [Fact]
    public void DecidesOnTheFirstNonEmptyLineAndKeepsTheEmptyOnesBefore()
    {
        var parser = new LogLineParser(LogFormat.Auto, Max);

        var sink = Parse(parser, "\n\n" + Cri("x"));

        Assert.Equal(LogFormat.Cri, parser.Format);
        Assert.Equal(3, sink.Entries.Count);
        Assert.Equal("x", sink.Entries[2].Text);
    }

    [Fact]
    public void ALaterLineInAnotherFormatIsMalformedNotRedetected()
    {
        var parser = new LogLineParser(LogFormat.Auto, Max);

        var sink = Parse(parser, Docker("first\\n") + Cri("second") + Docker("third\\n"));

        Assert.Equal(LogFormat.Docker, parser.Format);
        Assert.Equal([false, true, false], sink.Entries.Select(e => e.Malformed));
        Assert.Equal(Cri("second").TrimEnd('\n'), sink.Entries[1].Text);
    }

    [Fact]
    public void PlainLinesAreWholeEntriesWithoutTimeOrStream()
    {
        var sink = Parse(new LogLineParser(LogFormat.Plain, Max), "one\r\n\ntwo é日本\n");

        Assert.Equal(["one", "", "two é日本"], sink.Entries.Select(e => e.Text));
        Assert.All(sink.Entries, e =>
        {
            Assert.Equal(LogStream.Unknown, e.Stream);
            Assert.Equal("", e.Timestamp);
            Assert.False(e.Truncated || e.Partial || e.Malformed);
        });
    }

    [Fact]
    public void APartialMessageLongerThanTheCapKeepsItsFirstBytesAndCountsTheRest()
    {
        string message = DockerLineTests.Text(50_000);
        var fragments = DockerLineTests.Split(message, 16 * 1024);
        string lines = string.Concat(fragments.Select((f, i) => Docker(i == fragments.Count - 1 ? f + "\\n" : f)));

        var sink = Parse(new LogLineParser(LogFormat.Docker, 20_000), lines);

        var entry = sink.Single;
        Assert.Equal(message[..20_000], entry.Text);
        Assert.Equal(50_000, entry.OriginalLength);
        Assert.True(entry.Truncated);
        Assert.False(entry.Partial);
    }

    [Theory]
    [InlineData(LogFormat.Docker)]
    [InlineData(LogFormat.Cri)]
    [InlineData(LogFormat.Plain)]
    public void AWholeLineLongerThanTheCapIsCut(LogFormat format)
    {
        string line = format switch
        {
            LogFormat.Docker => Docker("0123456789\\n"),
            LogFormat.Cri => Cri("0123456789"),
            _ => "0123456789\n",
        };

        var sink = Parse(new LogLineParser(format, 4), line);

        Assert.Equal("0123", sink.Single.Text);
        Assert.Equal(10, sink.Single.OriginalLength);
        Assert.True(sink.Single.Truncated);
    }

    [Fact]
    public void TheCapNeverLeavesHalfACharacter()
    {
        // "日" is 3 bytes: a cap of 5 keeps "a日" (4 bytes), not "a日" plus one byte of "本".
        var whole = Parse(new LogLineParser(LogFormat.Cri, 5), Cri("a日本"));
        var joined = Parse(new LogLineParser(LogFormat.Cri, 5), Cri("a日", tag: "P") + Cri("本"));

        Assert.Equal("a日", whole.Single.Text);
        Assert.Equal("a日", joined.Single.Text);
        Assert.Equal(7, whole.Single.OriginalLength);
        Assert.Equal(7, joined.Single.OriginalLength);
    }

    [Fact]
    public void PendingOffsetIsTheEarliestFragmentStillWaitingOnEitherStream()
    {
        var parser = new LogLineParser(LogFormat.Cri, Max);
        var sink = new CollectingSink();
        Assert.Null(parser.PendingOffset);

        parser.ParseLine(Line(Cri("whole")), 0, 10, sink);
        Assert.Null(parser.PendingOffset);

        parser.ParseLine(Line(Cri("out-1", tag: "P")), 100, 10, sink);
        Assert.Equal(100, parser.PendingOffset);

        parser.ParseLine(Line(Cri("err-1", "stderr", "P")), 200, 10, sink);
        parser.ParseLine(Line(Cri("out-2", tag: "P")), 300, 10, sink);
        Assert.Equal(100, parser.PendingOffset);

        parser.ParseLine(Line(Cri("out-3")), 400, 10, sink);
        Assert.Equal(200, parser.PendingOffset);

        parser.ParseLine(Line(Cri("out-4", tag: "P")), 500, 10, sink);
        Assert.Equal(200, parser.PendingOffset);

        parser.ParseLine(Line(Cri("err-2", "stderr")), 600, 10, sink);
        Assert.Equal(500, parser.PendingOffset);

        parser.ParseLine(Line(Cri("out-5")), 700, 10, sink);
        Assert.Null(parser.PendingOffset);
        Assert.Equal(["whole", "out-1out-2out-3", "err-1err-2", "out-4out-5"], sink.Entries.Select(e => e.Text));
    }

    [Fact]
    public void FlushPendingEmitsWaitingEntriesOldestFirstMarkedPartial()
    {
        var parser = new LogLineParser(LogFormat.Docker, Max);
        var sink = Parse(parser, Docker("err without end", "stderr", "2026-01-01T00:00:01Z"), startOffset: 10);
        Feed(parser, Encoding.UTF8.GetBytes(Docker("out ", time: "2026-01-01T00:00:02Z") + Docker("without end")), sink, startOffset: 500);
        Assert.Empty(sink.Entries);
        Assert.Equal(10, parser.PendingOffset);

        parser.FlushPending(sink);

        Assert.Null(parser.PendingOffset);
        Assert.Collection(
            sink.Entries,
            e =>
            {
                Assert.Equal(("err without end", LogStream.Stderr, "2026-01-01T00:00:01Z"), (e.Text, e.Stream, e.Timestamp));
                Assert.True(e.Partial);
            },
            e =>
            {
                Assert.Equal(("out without end", LogStream.Stdout, "2026-01-01T00:00:02Z"), (e.Text, e.Stream, e.Timestamp));
                Assert.True(e.Partial);
            });
    }

    [Fact]
    public void FlushPendingWithNothingWaitingEmitsNothing()
    {
        var parser = new LogLineParser(LogFormat.Cri, Max);
        var sink = Parse(parser, Cri("done"));

        parser.FlushPending(sink);

        Assert.Single(sink.Entries);
    }

    [Fact]
    public void AfterResetAFragmentStartsANewEntry()
    {
        var parser = new LogLineParser(LogFormat.Cri, Max);
        var sink = Parse(parser, Cri("before truncation ", tag: "P"));

        parser.Reset();
        Feed(parser, Encoding.UTF8.GetBytes(Cri("after")), sink);

        Assert.Equal("after", sink.Single.Text);
        Assert.Null(parser.PendingOffset);
        Assert.Equal(LogFormat.Cri, parser.Format);
    }

    [Theory]
    [InlineData(LogFormat.Docker)]
    [InlineData(LogFormat.Cri)]
    public void ALineTheTailerCutIsKeptRawAsMalformedAndTruncated(LogFormat format)
    {
        byte[] line = Line(format == LogFormat.Docker ? Docker(new string('x', 100) + "\\n") : Cri(new string('x', 100)));
        var sink = new CollectingSink();

        new LogLineParser(format, Max).ParseLine(line.AsSpan(0, 50), 0, line.Length, sink);

        var entry = sink.Single;
        Assert.True(entry.Malformed);
        Assert.True(entry.Truncated);
        Assert.Equal(line.Length, entry.OriginalLength);
        Assert.Equal(line[..50], entry.Content);
    }

    [Fact]
    public void APlainLineTheTailerCutIsTruncatedButNotMalformed()
    {
        var sink = new CollectingSink();

        new LogLineParser(LogFormat.Plain, Max).ParseLine("0123456789"u8, 0, 1000, sink);

        Assert.Equal(
            ("0123456789", 1000L, true, false),
            (sink.Single.Text, sink.Single.OriginalLength, sink.Single.Truncated, sink.Single.Malformed));
    }

    [Fact]
    public void AutoDetectsDockerFromACutFirstLine()
    {
        var parser = new LogLineParser(LogFormat.Auto, Max);
        var sink = new CollectingSink();

        parser.ParseLine("{\"log\":\"xxxxx"u8, 0, 100_000, sink);

        Assert.Equal(LogFormat.Docker, parser.Format);
        Assert.True(sink.Single.Malformed);
    }

    [Fact]
    public void ACutLineDoesNotDisturbAMessageBeingJoined()
    {
        var parser = new LogLineParser(LogFormat.Cri, Max);
        var sink = Parse(parser, Cri("head ", tag: "P"));

        parser.ParseLine(Line(Cri("ignored")).AsSpan(0, 20), 100, 5000, sink);
        Feed(parser, Encoding.UTF8.GetBytes(Cri("tail")), sink, 5001);

        Assert.Equal([true, false], sink.Entries.Select(e => e.Malformed));
        Assert.Equal("head tail", sink.Entries[1].Text);
    }

    private static byte[] Line(string line) => Encoding.UTF8.GetBytes(line.TrimEnd('\n'));
}
