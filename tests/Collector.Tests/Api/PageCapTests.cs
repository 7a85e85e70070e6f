using System.Globalization;
using System.IO.Compression;
using System.Text;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>The 16 MiB cap on the lines of one page holds whichever way a file is read.</summary>
public sealed class PageCapTests
{
    private const int MaxPageBytes = 16 * 1024 * 1024;

    [Fact]
    public async Task ABackwardPageThroughAGzipFileStopsAt16MiBAndTheCursorGoesOnWithoutGapsOrRepeats()
    {
        using var dir = TempDirectory.Create();

        // 400 lines of 60 KiB (24 MB) in a rotated, gzip'd file: gzip is read forward, so backward pages are collected.
        string body = new('x', 60 * 1024);
        var expected = Enumerable.Range(0, 400)
            .Select(i => $"2026-11-20T00:{i / 60:D2}:{i % 60:D2}Z node-1 app[1]: local0.info - - " +
                $"seq={i.ToString(CultureInfo.InvariantCulture)} {body}")
            .ToList();
        await using (var gz = new GZipStream(File.Create(dir.Combine("messages.2.gz")), CompressionLevel.Fastest))
        {
            await gz.WriteAsync(Encoding.ASCII.GetBytes(string.Join('\n', expected) + "\n"));
        }

        await using var collector = await RunningCollector.StartAsync(dir);
        using var api = new ApiClient(collector.Http);

        var received = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            var page = await api.QueryRangeAsync(("query", "{}"), ("start", "0"), ("limit", "5000"), ("cursor", cursor));
            var lines = page.Lines.ToList();
            Assert.True(lines.Sum(l => l.Length) <= MaxPageBytes, $"page {pages + 1} holds {lines.Sum(l => l.Length)} bytes of lines");
            Assert.NotEmpty(lines);
            received.AddRange(lines.OrderByDescending(GeneratedLogs.SeqOf));
            cursor = page.Cursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.True(pages > 1, "the lines did not fit one page");
        Assert.Equal(Enumerable.Range(0, 400).Reverse(), received.Select(GeneratedLogs.SeqOf));
    }
}
