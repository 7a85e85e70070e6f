using Forwarder.Multiline;
using Forwarder.Parsing;
using Forwarder.Tests.Multiline.Corpus;

namespace Forwarder.Tests.Multiline;

/// <summary>
/// <c>auto</c> earns its place as the default: it joins none of 52,000 single-line logs and every real trace of the
/// corpus into exactly one event (Corpus/README.md).
/// </summary>
public sealed class MultilineCorpusTests
{
    private static readonly string TracesDirectory = Path.Combine(AppContext.BaseDirectory, "Multiline", "Corpus", "traces");

    public static TheoryData<string> Traces() => [.. TraceFiles()];

    private static IEnumerable<string> TraceFiles() =>
        Directory.GetFiles(TracesDirectory, "*.txt").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    [Fact]
    public void AutoJoinsNoneOfTheSingleLineLogs()
    {
        var lines = SingleLineCorpus.Generate();

        var joined = JoinedEvents.Auto().Feed(LogStream.Stdout, [.. lines]).FlushAll();

        Assert.Equal(SingleLineCorpus.Size, lines.Count);
        Assert.Equal(lines, joined.Texts);
    }

    [Fact]
    public void TheCorpusHoldsTracesOfEveryPreset()
    {
        var names = TraceFiles().Select(t => t.Split('-')[0]).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(["dotnet", "go", "java", "node", "python", "ruby"], names);
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void AutoJoinsEachRealTraceIntoOneEvent(string file)
    {
        string trace = Read(file);

        var joined = JoinedEvents.Auto().FeedText(trace).Feed("2026-12-06 09:00:01.000 INFO request done").FlushAll();

        Assert.Equal([trace, "2026-12-06 09:00:01.000 INFO request done"], joined.Texts);
    }

    /// <summary>
    /// A trace that begins with an exception's name, "Traceback (most recent call last):" or a frame belongs to the log
    /// message just before it (logger.error("…", e) prints both); one that begins with its own header ("panic: ", a
    /// time-stamped log line, Node's source line, Ruby's "file:line:in") does not.
    /// </summary>
    [Theory]
    [MemberData(nameof(Traces))]
    public void AutoJoinsATraceWithTheMessageBeforeItOnlyWhenTheTraceHasNoHeaderOfItsOwn(string file)
    {
        string trace = Read(file);
        string before = "2026-12-06 09:00:00.000 ERROR request failed";

        var joined = JoinedEvents.Auto().Feed(before).FeedText(trace).Feed("INFO after").FlushAll();

        Assert.Equal(JoinsTheMessageBefore(file) ? [$"{before}\n{trace}", "INFO after"] : [before, trace, "INFO after"], joined.Texts);
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void TheTracesOwnPresetJoinsItToo(string file)
    {
        string trace = Read(file);
        Assert.True(MultilineSpec.TryParse(file.Split('-')[0], out var spec, out _));

        var joined = new JoinedEvents(spec.CreateRule()!).FeedText(trace).Feed("INFO after").FlushAll();

        Assert.Equal([trace, "INFO after"], joined.Texts);
    }

    [Fact]
    public void AllTracesInterleavedWithAnotherStreamComeOutWhole()
    {
        const string Separator = "E1206 09:05:32.123456       1 server.go:1] between traces";
        var lines = SingleLineCorpus.Generate(seed: 7);
        var files = TraceFiles().ToList();
        var joined = JoinedEvents.Auto();
        var expected = new List<string>();
        int next = 0;
        for (int i = 0; i < files.Count; i++)
        {
            string trace = Read(files[i]);

            // Every trace line on stderr is followed by a single-line log on stdout.
            foreach (string line in trace.Split('\n'))
            {
                joined.Feed(LogStream.Stderr, line).Feed(LogStream.Stdout, lines[next++]);
            }

            joined.Feed(LogStream.Stderr, Separator);
            if (i > 0 && JoinsTheMessageBefore(files[i]))
            {
                expected[^1] = $"{Separator}\n{trace}";
            }
            else
            {
                expected.Add(trace);
            }

            expected.Add(Separator);
        }

        joined.FlushAll();

        Assert.Equal(expected, joined.Events.Where(e => e.Stream == LogStream.Stderr).Select(e => e.Text));
        Assert.Equal(lines.Take(next), joined.Events.Where(e => e.Stream == LogStream.Stdout).Select(e => e.Text));
    }

    private static bool JoinsTheMessageBefore(string file) => file.Split('-')[0] is "python" or "dotnet" || file == "java-2.txt";

    private static string Read(string file) => File.ReadAllText(Path.Combine(TracesDirectory, file)).TrimEnd('\n');
}
