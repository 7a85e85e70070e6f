using Forwarder.Parsing;
using static Forwarder.Tests.Parsing.LogFile;

namespace Forwarder.Tests.Parsing;

public sealed class CriLineTests
{
    private const int Max = 1024 * 1024;

    [Fact]
    public void ReadsTheLineContainerdWrites()
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), "2026-01-01T00:00:00.000001000Z stdout F id=000000001 len=3 abc END\n");

        var entry = sink.Single;
        Assert.Equal("id=000000001 len=3 abc END", entry.Text);
        Assert.Equal("2026-01-01T00:00:00.000001000Z", entry.Timestamp);
        Assert.Equal(LogStream.Stdout, entry.Stream);
        Assert.False(entry.Truncated || entry.Partial || entry.Malformed);
    }

    [Fact]
    public void ReadsTheLineCriOWritesWithAnOffset()
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), "2023-05-04T09:31:52.614416312+02:00 stderr F level=error msg=\"x\"\n");

        Assert.Equal("2023-05-04T09:31:52.614416312+02:00", sink.Single.Timestamp);
        Assert.Equal(LogStream.Stderr, sink.Single.Stream);
        Assert.Equal("level=error msg=\"x\"", sink.Single.Text);
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00Z stdout F")]
    [InlineData("2026-01-01T00:00:00Z stdout F ")]
    public void ReadsEmptyContentWithOrWithoutTheSpace(string line)
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), line + "\n");

        Assert.Empty(sink.Single.Content);
        Assert.False(sink.Single.Malformed);
    }

    [Fact]
    public void KeepsSpacesInsideTheContent()
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), Cri("  indented  and trailing  "));

        Assert.Equal("  indented  and trailing  ", sink.Single.Text);
    }

    [Fact]
    public void IgnoresTagsAfterTheFirst()
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), Cri("part ", tag: "P:x") + Cri("end", tag: "F:x:y"));

        Assert.Equal("part end", sink.Single.Text);
    }

    [Fact]
    public void DropsTheCarriageReturnOfACrLfLine()
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), Cri("windows\r"));

        Assert.Equal("windows", sink.Single.Text);
    }

    [Fact]
    public void JoinsPartialLinesPerStreamUntilTheFullOne()
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max),
            Cri("out-1 ", "stdout", "P", "2026-01-01T00:00:01.000000001Z")
            + Cri("err-1 ", "stderr", "P", "2026-01-01T00:00:02Z")
            + Cri("out-2 ", "stdout", "P", "2026-01-01T00:00:03Z")
            + Cri("whole", "stderr", "F", "2026-01-01T00:00:04Z")
            + Cri("out-3", "stdout", "F", "2026-01-01T00:00:05Z"));

        Assert.Collection(
            sink.Entries,
            e =>
            {
                Assert.Equal(LogStream.Stderr, e.Stream);
                Assert.Equal("err-1 whole", e.Text);
                Assert.Equal("2026-01-01T00:00:02Z", e.Timestamp);
            },
            e =>
            {
                Assert.Equal(LogStream.Stdout, e.Stream);
                Assert.Equal("out-1 out-2 out-3", e.Text);
                Assert.Equal("2026-01-01T00:00:01.000000001Z", e.Timestamp);
            });
    }

    [Fact]
    public void AnEmptyFullLineEndsAPartialMessage()
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), Cri("only part", tag: "P") + "2026-01-01T00:00:00Z stdout F\n");

        Assert.Equal("only part", sink.Single.Text);
    }

    [Fact]
    public void JoinsAOneMebibyteMessageFromSixtyFourPartials()
    {
        string message = DockerLineTests.Text(1024 * 1024);
        var fragments = DockerLineTests.Split(message, 16 * 1024);
        string lines = string.Concat(fragments.Select((f, i) => Cri(f, tag: i == fragments.Count - 1 ? "F" : "P")));

        var sink = Parse(new LogLineParser(LogFormat.Cri, 2 * 1024 * 1024), lines);

        Assert.Equal(message, sink.Single.Text);
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00Z stdin F text")]
    [InlineData("2026-01-01T00:00:00Z stdout X text")]
    [InlineData("2026-01-01T00:00:00Z stdout PF text")]
    [InlineData("2026-01-01T00:00:00Z stdout")]
    [InlineData("yesterday stdout F text")]
    [InlineData("{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}")]
    public void KeepsALineThatIsNotCriRawAsMalformed(string line)
    {
        var sink = Parse(new LogLineParser(LogFormat.Cri, Max), line + "\n");

        Assert.True(sink.Single.Malformed);
        Assert.Equal(line, sink.Single.Text);
        Assert.Equal(LogStream.Unknown, sink.Single.Stream);
    }
}
